package io.sallyport.tls;

import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;

/**
 * Why a TLS connection to an upstream failed, derived from the exception the handshake (or the first
 * read after it) ended with. Named in the log line and the access log.
 */
public enum TlsFailureReason {
    /** A certificate of the server's chain has expired. */
    EXPIRED,
    /** A certificate of the server's chain is not valid yet. */
    NOT_YET_VALID,
    /** The server's chain does not lead to a trusted CA (or there is no CA to trust). */
    UNKNOWN_CA,
    /** The server certificate's SANs match neither the server name nor any configured matcher. */
    SAN_MISMATCH,
    /** No TLS version both sides accept. */
    VERSION,
    /** The server refused our client certificate, or wanted one we did not send. */
    BAD_CLIENT_CERT,
    /** Anything else: reset, timeout, no shared cipher, a peer that does not speak TLS. */
    OTHER;

    private static final int MAX_CAUSES = 16;

    /**
     * Whether the server's certificate was refused. Such a failure is final for the connection: it is
     * not retried on another endpoint, unlike connect failures.
     */
    public boolean isVerification() {
        return this == EXPIRED || this == NOT_YET_VALID || this == UNKNOWN_CA || this == SAN_MISMATCH;
    }

    /** The Envoy-style snake-case name used in logs, e.g. {@code san_mismatch}. */
    public String logName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Classifies a handshake failure (from {@code SslHandler.handshakeFuture()}) or a TLS failure right
     * after it (TLS 1.3 servers reject a client certificate only after the client's handshake completed).
     */
    public static TlsFailureReason of(Throwable failure) {
        StringBuilder messages = new StringBuilder();
        int depth = 0;
        for (Throwable t = failure; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
            if (t instanceof UpstreamCertificateException u) {
                return u.reason();
            }
            if (t instanceof SslHandshakeTimeoutException) {
                return OTHER;
            }
            if (t.getMessage() != null) {
                messages.append(t.getMessage()).append('\n');
            }
        }
        String m = messages.toString().toLowerCase(Locale.ROOT);
        if (containsAny(m, "protocol_version", "protocol version", "no appropriate protocol",
                "unsupported_protocol", "unsupported protocol", "not accepted by client preferences",
                "version_too_low", "version_too_high")) {
            return VERSION;
        }
        // Certificate alerts *received* from the server concern our client certificate: our own verdicts on
        // the server's certificate always carry an UpstreamCertificateException.
        if (containsAny(m, "certificate_required", "certificate required", "bad_certificate", "bad certificate",
                "certificate_unknown", "unknown_ca", "alert_unknown_ca", "certificate_expired",
                "unsupported_certificate", "access_denied", "peer_did_not_return_a_certificate")) {
            return BAD_CLIENT_CERT;
        }
        if (m.contains("certificate_verify_failed")) {
            return UNKNOWN_CA;
        }
        return OTHER;
    }

    /** Classifies a failure of the PKIX chain check. */
    static TlsFailureReason ofChainFailure(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
            if (t instanceof CertificateExpiredException) {
                return EXPIRED;
            }
            if (t instanceof CertificateNotYetValidException) {
                return NOT_YET_VALID;
            }
            if (t instanceof CertPathValidatorException v) {
                if (v.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                    return EXPIRED;
                }
                if (v.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                    return NOT_YET_VALID;
                }
            }
        }
        return UNKNOWN_CA;
    }

    private static boolean containsAny(String haystack, String... needles) {
        for (String n : needles) {
            if (haystack.contains(n)) {
                return true;
            }
        }
        return false;
    }
}
