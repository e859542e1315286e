package io.sallyport.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Kuma's verification modes as one trust manager: first the chain (when the mode checks it), then the
 * SAN (when the mode checks it), each failure thrown as an {@link UpstreamCertificateException} with its
 * reason. The name the SAN must match is the engine's peer host, which {@link UpstreamTlsContext} sets
 * to {@code serverName} or the endpoint's address.
 *
 * <p>Being an {@link X509ExtendedTrustManager}, it is called with the engine by both the JDK provider and
 * Netty's OpenSSL provider. Netty 4.2 turns on the JDK's HTTPS hostname check by default; the factory
 * switches that off, because the SAN rules here (serverName, matchers, SkipSAN/SkipCA) are not the
 * JDK's.
 *
 * <p>A chain it accepted is remembered ({@link VerifiedChainCache}): the same chain presented again for
 * the same name, while all its certificates are still valid, is accepted without checking it again.
 */
final class UpstreamTrustManager extends X509ExtendedTrustManager {

    private static final X509Certificate[] NO_ISSUERS = new X509Certificate[0];

    private final X509TrustManager chain;
    private final String chainRefusal;
    private final SubjectAltNameVerifier san;
    /** {@code null} when there is nothing to verify (SkipAll) or every handshake is refused. */
    private final VerifiedChainCache verified;

    /**
     * @param chain        the PKIX trust manager for the chain, or {@code null} when the chain is not checked
     * @param chainRefusal when the chain must be checked but there is nothing to check it against (no
     *                     {@code caCert} and no system bundle): the reason every handshake is refused
     * @param san          the SAN verifier, or {@code null} when the SAN is not checked
     */
    UpstreamTrustManager(X509TrustManager chain, String chainRefusal, SubjectAltNameVerifier san) {
        this(chain, chainRefusal, san, new VerifiedChainCache());
    }

    /** @param verified where accepted chains are remembered (tests pass one with their own clock) */
    UpstreamTrustManager(X509TrustManager chain, String chainRefusal, SubjectAltNameVerifier san,
            VerifiedChainCache verified) {
        this.chain = chain;
        this.chainRefusal = chainRefusal;
        this.san = san;
        this.verified = chainRefusal == null && (chain != null || san != null) ? verified : null;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certificates, String authType, SSLEngine engine)
            throws CertificateException {
        verify(certificates, authType, engine == null ? null : engine.getPeerHost());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certificates, String authType, Socket socket)
            throws CertificateException {
        String host = socket instanceof SSLSocket s && s.getHandshakeSession() != null
                ? s.getHandshakeSession().getPeerHost() : null;
        verify(certificates, authType, host);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certificates, String authType) throws CertificateException {
        // No engine means no expected name: only the configured matchers can satisfy the SAN check.
        verify(certificates, authType, null);
    }

    private void verify(X509Certificate[] certificates, String authType, String expectedName)
            throws CertificateException {
        if (certificates == null || certificates.length == 0) {
            throw new UpstreamCertificateException(TlsFailureReason.UNKNOWN_CA, "server sent no certificate");
        }
        if (chainRefusal != null) {
            throw new UpstreamCertificateException(TlsFailureReason.UNKNOWN_CA, chainRefusal);
        }
        VerifiedChainCache.Key key = verified == null ? null
                : VerifiedChainCache.key(certificates, authType, expectedName);
        if (key != null && verified.isAccepted(key)) {
            return;
        }
        if (chain != null) {
            try {
                chain.checkServerTrusted(certificates, authType);
            } catch (CertificateException e) {
                TlsFailureReason reason = TlsFailureReason.ofChainFailure(e);
                throw new UpstreamCertificateException(reason, "server certificate chain ("
                        + certificates[0].getSubjectX500Principal().getName() + ") rejected: " + e.getMessage(), e);
            }
        }
        if (san != null) {
            san.verify(certificates[0], expectedName);
        }
        if (key != null) {
            verified.accepted(key, certificates, chain != null);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certificates, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("upstream trust manager does not verify clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certificates, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("upstream trust manager does not verify clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certificates, String authType) throws CertificateException {
        throw new CertificateException("upstream trust manager does not verify clients");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return chain == null ? NO_ISSUERS : chain.getAcceptedIssuers();
    }
}
