package io.sallyport.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.ReferenceCountUtil;
import io.sallyport.core.metrics.Stats;
import java.net.ConnectException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.util.EnumSet;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class TlsFailureReasonTest {

    @Test
    void onlyCertificateVerdictsAreVerificationFailures() {
        EnumSet<TlsFailureReason> verification = EnumSet.noneOf(TlsFailureReason.class);
        for (TlsFailureReason r : TlsFailureReason.values()) {
            if (r.isVerification()) {
                verification.add(r);
            }
        }
        assertThat(verification).containsExactlyInAnyOrder(TlsFailureReason.EXPIRED, TlsFailureReason.NOT_YET_VALID,
                TlsFailureReason.UNKNOWN_CA, TlsFailureReason.SAN_MISMATCH);
        assertThat(TlsFailureReason.SAN_MISMATCH.logName()).isEqualTo("san_mismatch");
    }

    @Test
    void ourVerdictWinsWhereverItSitsInTheCauseChain() {
        Exception wrapped = new DecoderException(new SSLHandshakeException("General OpenSslEngine problem"));
        wrapped.getCause().initCause(new UpstreamCertificateException(TlsFailureReason.SAN_MISMATCH, "no"));
        assertThat(TlsFailureReason.of(wrapped)).isEqualTo(TlsFailureReason.SAN_MISMATCH);
    }

    @Test
    void chainFailuresAreClassifiedByTheirCause() {
        assertThat(TlsFailureReason.ofChainFailure(new CertificateException(new CertificateExpiredException("x"))))
                .isEqualTo(TlsFailureReason.EXPIRED);
        assertThat(TlsFailureReason.ofChainFailure(new CertificateException(new CertPathValidatorException(
                "x", null, null, -1, CertPathValidatorException.BasicReason.NOT_YET_VALID))))
                .isEqualTo(TlsFailureReason.NOT_YET_VALID);
        assertThat(TlsFailureReason.ofChainFailure(new CertificateException("PKIX path building failed")))
                .isEqualTo(TlsFailureReason.UNKNOWN_CA);
    }

    @Test
    void peerAlertsAndOtherFailures() {
        assertThat(TlsFailureReason.of(new SSLHandshakeException("Received fatal alert: certificate_required")))
                .isEqualTo(TlsFailureReason.BAD_CLIENT_CERT);
        assertThat(TlsFailureReason.of(new SSLHandshakeException(
                "error:10000412:SSL routines:OPENSSL_internal:SSLV3_ALERT_BAD_CERTIFICATE")))
                .isEqualTo(TlsFailureReason.BAD_CLIENT_CERT);
        assertThat(TlsFailureReason.of(new SSLHandshakeException(
                "No appropriate protocol (protocol is disabled or cipher suites are inappropriate)")))
                .isEqualTo(TlsFailureReason.VERSION);
        assertThat(TlsFailureReason.of(new SslHandshakeTimeoutException("handshake timed out after 10000ms")))
                .isEqualTo(TlsFailureReason.OTHER);
        assertThat(TlsFailureReason.of(new ConnectException("Connection refused"))).isEqualTo(TlsFailureReason.OTHER);
    }

    @Test
    void countersFollowTheReason() {
        Stats stats = new Stats();
        UpstreamTlsStats s = new UpstreamTlsStats(stats, "c");
        s.handshakeSucceeded();
        s.handshakeFailed(TlsFailureReason.EXPIRED);
        s.handshakeFailed(TlsFailureReason.SAN_MISMATCH);
        s.handshakeFailed(TlsFailureReason.VERSION);
        StringBuilder out = new StringBuilder();
        stats.writePrometheus(out);
        assertThat(out.toString()).contains(
                "envoy_cluster_ssl_handshake{envoy_cluster_name=\"c\"} 1",
                "envoy_cluster_ssl_connection_error{envoy_cluster_name=\"c\"} 3",
                "envoy_cluster_ssl_fail_verify_error{envoy_cluster_name=\"c\"} 1",
                "envoy_cluster_ssl_fail_verify_san{envoy_cluster_name=\"c\"} 1");
    }

    @Test
    void sharedFacadeBuildsHandlersWithSni() {
        UpstreamTlsSpec spec = UpstreamTlsSpec.builder().mode(io.sallyport.core.config.MeshExternalService
                .VerificationMode.SkipAll).build();
        SslHandler handler = UpstreamTls.newHandler(ByteBufAllocator.DEFAULT, spec, "api.example.test", 443);
        try {
            assertThat(handler.engine().getUseClientMode()).isTrue();
            assertThat(handler.engine().getSSLParameters().getServerNames())
                    .containsExactly(new SNIHostName("api.example.test"));
            assertThat(UpstreamTls.factory().get(spec)).isSameAs(UpstreamTls.factory().get(spec));
        } finally {
            ReferenceCountUtil.release(handler.engine());
        }
    }
}
