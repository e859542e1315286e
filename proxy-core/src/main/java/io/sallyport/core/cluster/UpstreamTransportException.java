package io.sallyport.core.cluster;

import java.util.Objects;

/**
 * How an {@link UpstreamChannelInitializer} fails its future when the transport set-up (the TLS
 * handshake) failed for a reason worth naming: the reason goes to the access log (Envoy's
 * {@code %UPSTREAM_TRANSPORT_FAILURE_REASON%}), and a non-retryable failure (the server's certificate was
 * refused) ends the connect without trying the next endpoint. Other initializer failures count as
 * ordinary connect failures. An expected outcome, so no stack trace is filled in.
 */
public final class UpstreamTransportException extends Exception {

    private final String reason;
    private final boolean retryable;

    /**
     * @param reason    a short token without spaces, e.g. {@code san_mismatch}
     * @param retryable whether the next endpoint may be tried
     */
    public UpstreamTransportException(String reason, boolean retryable, String message, Throwable cause) {
        super(message, cause, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.retryable = retryable;
    }

    /** The failure reason as the access log prints it. */
    public String reason() {
        return reason;
    }

    /** Whether another endpoint may be tried after this failure. */
    public boolean retryable() {
        return retryable;
    }

    /** The first {@code UpstreamTransportException} in {@code failure}'s cause chain, or {@code null}. */
    public static UpstreamTransportException find(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof UpstreamTransportException u) {
                return u;
            }
        }
        return null;
    }
}
