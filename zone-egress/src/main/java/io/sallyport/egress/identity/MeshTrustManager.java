package io.sallyport.egress.identity;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Verifies a mesh peer: the chain must lead to the mesh CA (PKIX) and the leaf's URI SAN must satisfy
 * {@code sanRule} (a {@code spiffe://<mesh>/} prefix for callers, exactly {@code spiffe://<mesh>/zone-egress}
 * for the egress). Why a handshake on an engine failed is remembered until {@link #takeFailure} so the
 * listener can count it under Envoy's name whatever the TLS engine wraps the exception in.
 */
public final class MeshTrustManager extends X509ExtendedTrustManager {

    private final X509TrustManager pkix;
    private final Predicate<String> sanRule;
    private final String sanDescription;
    private final Map<SSLEngine, VerifyFailure> failures = new ConcurrentHashMap<>();

    MeshTrustManager(List<X509Certificate> caCertificates, Predicate<String> sanRule, String sanDescription)
            throws GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            ks.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
        int i = 0;
        for (X509Certificate c : caCertificates) {
            ks.setCertificateEntry("mesh-ca-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        X509TrustManager found = null;
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                found = x;
            }
        }
        if (found == null) {
            throw new GeneralSecurityException("no X509 trust manager");
        }
        this.pkix = found;
        this.sanRule = sanRule;
        this.sanDescription = sanDescription;
    }

    /** The recorded failure of {@code engine}'s handshake, removed; {@code null} when none was recorded. */
    public VerifyFailure takeFailure(SSLEngine engine) {
        return failures.remove(engine);
    }

    /**
     * Verifies a client chain again after a completed handshake and returns why it is refused, or
     * {@code null}: the listener does not rely on every TLS engine failing the handshake on an optional
     * client certificate.
     */
    public VerifyFailure verifyClient(X509Certificate[] chain) {
        try {
            verify(chain, "UNKNOWN", true, null);
            return null;
        } catch (SpiffeSanException e) {
            return VerifyFailure.SAN;
        } catch (CertificateException e) {
            return chain == null || chain.length == 0 ? VerifyFailure.NO_CERT : VerifyFailure.CHAIN;
        }
    }

    private void verify(X509Certificate[] chain, String authType, boolean client, SSLEngine engine)
            throws CertificateException {
        if (chain == null || chain.length == 0) {
            record(engine, VerifyFailure.NO_CERT);
            throw new CertificateException("no peer certificate");
        }
        try {
            if (client) {
                pkix.checkClientTrusted(chain, authType);
            } else {
                pkix.checkServerTrusted(chain, authType);
            }
        } catch (CertificateException e) {
            record(engine, VerifyFailure.CHAIN);
            throw e;
        }
        for (String uri : SpiffeId.uriSans(chain[0])) {
            if (sanRule.test(uri)) {
                return;
            }
        }
        record(engine, VerifyFailure.SAN);
        throw new SpiffeSanException("peer certificate " + chain[0].getSubjectX500Principal().getName()
                + " has no URI SAN " + sanDescription + " (has " + SpiffeId.uriSans(chain[0]) + ")");
    }

    private void record(SSLEngine engine, VerifyFailure failure) {
        if (engine != null) {
            failures.put(engine, failure);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        verify(chain, authType, true, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        verify(chain, authType, false, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        verify(chain, authType, true, null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        verify(chain, authType, false, null);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain, authType, true, null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain, authType, false, null);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }
}
