package io.sallyport.tls;

import java.security.cert.CertificateException;
import java.util.Objects;

/**
 * Thrown by the upstream trust manager when the server's certificate is refused, carrying the reason
 * so the handshake failure can be classified without parsing provider-specific messages.
 */
public final class UpstreamCertificateException extends CertificateException {

    private static final long serialVersionUID = 1L;

    private final TlsFailureReason reason;

    public UpstreamCertificateException(TlsFailureReason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public UpstreamCertificateException(TlsFailureReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public TlsFailureReason reason() {
        return reason;
    }
}
