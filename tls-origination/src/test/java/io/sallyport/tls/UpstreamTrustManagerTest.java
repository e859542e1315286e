package io.sallyport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sallyport.core.config.MeshExternalService.SanMatch;
import io.sallyport.core.config.MeshExternalService.SanMatchType;
import io.sallyport.testing.TestCertificates.Issued;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;

/**
 * The verification modes' trust manager remembering the chains it accepted: the same chain for the same
 * name is not checked again while every certificate in it is valid and the verdict is young; anything
 * else is checked in full, and refusals are never remembered.
 */
class UpstreamTrustManagerTest {

    private static final String AUTH = "ECDHE_ECDSA";

    /** The real PKIX check, counting how often it runs. */
    private static final class CountingPkix implements X509TrustManager {
        private final X509TrustManager pkix = UpstreamTlsContextFactory.trustManager(List.of(TlsZoo.ROOT.certificate()));
        int checks;

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            checks++;
            pkix.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not for clients");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }

    private final AtomicLong wallMillis = new AtomicLong(System.currentTimeMillis());
    private final AtomicLong monotonicNanos = new AtomicLong();
    private final CountingPkix pkix = new CountingPkix();

    private UpstreamTrustManager secured(List<SanMatch> matchers) {
        return new UpstreamTrustManager(pkix, null, new SubjectAltNameVerifier(matchers),
                new VerifiedChainCache(wallMillis::get, monotonicNanos::get));
    }

    /** A fresh copy of the chain, parsed again: what a new handshake hands over. */
    private static X509Certificate[] presented(Issued leaf) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> chain = leaf.chain();
        X509Certificate[] copy = new X509Certificate[chain.size()];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(chain.get(i).getEncoded()));
        }
        return copy;
    }

    @Test
    void theSameChainForTheSameNameIsCheckedOnce() throws Exception {
        UpstreamTrustManager tm = secured(List.of());
        verify(tm, TlsZoo.GOOD, TlsZoo.HOST);
        verify(tm, TlsZoo.GOOD, TlsZoo.HOST);
        verify(tm, TlsZoo.GOOD, TlsZoo.HOST);
        assertThat(pkix.checks).isEqualTo(1);
        verify(tm, TlsZoo.GOOD, TlsZoo.HOST.toUpperCase(java.util.Locale.ROOT));
        assertThat(pkix.checks).as("another name is another verdict").isEqualTo(2);
    }

    @Test
    void anAcceptedChainDoesNotVouchForAnotherNameOrAnotherChain() throws Exception {
        UpstreamTrustManager tm = secured(List.of());
        verify(tm, TlsZoo.GOOD, TlsZoo.HOST);
        assertThatThrownBy(() -> verify(tm, TlsZoo.GOOD, "other.example.test"))
                .isInstanceOfSatisfying(UpstreamCertificateException.class,
                        e -> assertThat(e.reason()).isEqualTo(TlsFailureReason.SAN_MISMATCH));
        assertThatThrownBy(() -> verify(tm, TlsZoo.UNTRUSTED, TlsZoo.HOST))
                .isInstanceOfSatisfying(UpstreamCertificateException.class,
                        e -> assertThat(e.reason()).isEqualTo(TlsFailureReason.UNKNOWN_CA));
        verify(tm, TlsZoo.WILDCARD, TlsZoo.HOST);
        assertThat(pkix.checks).isEqualTo(4);
    }

    @Test
    void refusalsAreNeverRemembered() throws Exception {
        UpstreamTrustManager tm = secured(List.of());
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> verify(tm, TlsZoo.UNTRUSTED, TlsZoo.HOST))
                    .isInstanceOfSatisfying(UpstreamCertificateException.class,
                            e -> assertThat(e.reason()).isEqualTo(TlsFailureReason.UNKNOWN_CA));
            assertThatThrownBy(() -> verify(tm, TlsZoo.WRONG_HOST, TlsZoo.HOST))
                    .isInstanceOfSatisfying(UpstreamCertificateException.class,
                            e -> assertThat(e.reason()).isEqualTo(TlsFailureReason.SAN_MISMATCH));
        }
        // No engine: no expected name, and no matcher to satisfy instead: refused, every time.
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> tm.checkServerTrusted(presented(TlsZoo.GOOD), AUTH))
                    .isInstanceOfSatisfying(UpstreamCertificateException.class,
                            e -> assertThat(e.reason()).isEqualTo(TlsFailureReason.SAN_MISMATCH));
        }
        assertThat(pkix.checks).isEqualTo(8);
    }

    @Test
    void aVerdictEndsWithTheFirstCertificateOfTheChainToExpire() throws Exception {
        UpstreamTrustManager tm = secured(List.of());
        verify(tm, TlsZoo.GOOD, TlsZoo.HOST);
        long notAfter = Long.MAX_VALUE;
        for (X509Certificate c : TlsZoo.GOOD.chain()) {
            notAfter = Math.min(notAfter, c.getNotAfter().getTime());
        }
        wallMillis.set(notAfter);
        verify(tm, TlsZoo.GOOD, TlsZoo.HOST);
        assertThat(pkix.checks).as("still valid on its last millisecond").isEqualTo(1);
        wallMillis.set(notAfter + 1);
        // The real check runs on the real clock, by which GOOD is still valid: it runs again, and accepts.
        verify(tm, TlsZoo.GOOD, TlsZoo.HOST);
        assertThat(pkix.checks).as("checked again after the first expiry").isEqualTo(2);
    }

    @Test
    void aVerdictIsNotUsedBeforeEveryCertificateOfTheChainIsValid() throws Exception {
        UpstreamTrustManager tm = secured(List.of());
        verify(tm, TlsZoo.GOOD, TlsZoo.HOST);
        long notBefore = Long.MIN_VALUE;
        for (X509Certificate c : TlsZoo.GOOD.chain()) {
            notBefore = Math.max(notBefore, c.getNotBefore().getTime());
        }
        wallMillis.set(notBefore - 1);
        verify(tm, TlsZoo.GOOD, TlsZoo.HOST);
        assertThat(pkix.checks).isEqualTo(2);
    }

    @Test
    void aVerdictIsReusedForAtMostTheMaximumAge() throws Exception {
        UpstreamTrustManager tm = secured(List.of());
        verify(tm, TlsZoo.GOOD, TlsZoo.HOST);
        monotonicNanos.addAndGet(VerifiedChainCache.MAX_AGE.toNanos() - 1);
        verify(tm, TlsZoo.GOOD, TlsZoo.HOST);
        assertThat(pkix.checks).isEqualTo(1);
        monotonicNanos.addAndGet(Duration.ofMillis(1).toNanos());
        verify(tm, TlsZoo.GOOD, TlsZoo.HOST);
        assertThat(pkix.checks).isEqualTo(2);
    }

    @Test
    void matchersAcceptAndTheVerdictIsRemembered() throws Exception {
        UpstreamTrustManager tm = secured(List.of(new SanMatch(SanMatchType.Exact, TlsZoo.SPIFFE)));
        verify(tm, TlsZoo.SPIFFE_ONLY, TlsZoo.HOST);
        verify(tm, TlsZoo.SPIFFE_ONLY, TlsZoo.HOST);
        assertThat(pkix.checks).isEqualTo(1);
    }

    @Test
    void expiredChainsAreNeverRememberedWhereDatesAreChecked() throws Exception {
        UpstreamTrustManager tm = secured(List.of());
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> verify(tm, TlsZoo.EXPIRED, TlsZoo.HOST))
                    .isInstanceOfSatisfying(UpstreamCertificateException.class,
                            e -> assertThat(e.reason()).isEqualTo(TlsFailureReason.EXPIRED));
        }
        assertThat(pkix.checks).isEqualTo(2);
    }

    @Test
    void withoutAChainCheckDatesDoNotLimitTheVerdict() throws Exception {
        // SkipCA: the SAN only, dates are not checked (an expired certificate is accepted).
        VerifiedChainCache cache = new VerifiedChainCache(wallMillis::get, monotonicNanos::get);
        UpstreamTrustManager tm = new UpstreamTrustManager(null, null, new SubjectAltNameVerifier(List.of()), cache);
        verify(tm, TlsZoo.EXPIRED, TlsZoo.HOST);
        X509Certificate[] chain = presented(TlsZoo.EXPIRED);
        assertThat(cache.isAccepted(VerifiedChainCache.key(chain, AUTH, TlsZoo.HOST))).isTrue();
        assertThat(cache.isAccepted(VerifiedChainCache.key(chain, "RSA", TlsZoo.HOST)))
                .as("the key exchange's authType is part of the key").isFalse();
        assertThatThrownBy(() -> verify(tm, TlsZoo.EXPIRED, "other.example.test"))
                .isInstanceOf(UpstreamCertificateException.class);
    }

    @Test
    void skipAllAndRefusingTrustManagersRememberNothing() throws Exception {
        VerifiedChainCache cache = new VerifiedChainCache(wallMillis::get, monotonicNanos::get);
        new UpstreamTrustManager(null, null, null, cache).checkServerTrusted(presented(TlsZoo.EXPIRED), AUTH);
        UpstreamTrustManager refusing = new UpstreamTrustManager(null, "no CA", new SubjectAltNameVerifier(List.of()),
                cache);
        assertThatThrownBy(() -> verify(refusing, TlsZoo.GOOD, TlsZoo.HOST))
                .isInstanceOfSatisfying(UpstreamCertificateException.class,
                        e -> assertThat(e.reason()).isEqualTo(TlsFailureReason.UNKNOWN_CA));
        assertThat(cache.isAccepted(VerifiedChainCache.key(presented(TlsZoo.EXPIRED), AUTH, null))).isFalse();
        assertThat(cache.isAccepted(VerifiedChainCache.key(presented(TlsZoo.GOOD), AUTH, TlsZoo.HOST))).isFalse();
    }

    /** As in a handshake: the engine's peer host (the name it was made for) is the expected name. */
    private static void verify(UpstreamTrustManager tm, Issued leaf, String expectedName) throws Exception {
        tm.checkServerTrusted(presented(leaf), AUTH, SSLContext.getDefault().createSSLEngine(expectedName, 443));
    }
}
