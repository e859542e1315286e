package io.sallyport.core.upstream;

import io.sallyport.core.accesslog.ResponseFlag;
import io.sallyport.core.cluster.UpstreamTransportException;

/**
 * Why no upstream connection could be made: {@link ResponseFlag#UH} when there was nothing to connect
 * to (no endpoint, or no DNS name resolved), {@link ResponseFlag#UF} when every attempt failed or timed
 * out. The cause is the last attempt's failure. An expected outcome, so no stack trace is filled in.
 */
public final class UpstreamConnectException extends Exception {

    private final ResponseFlag flag;

    public UpstreamConnectException(ResponseFlag flag, String message, Throwable cause) {
        super(message, cause, false, false);
        this.flag = flag;
    }

    public ResponseFlag flag() {
        return flag;
    }

    /**
     * The transport failure reason of the last attempt (e.g. {@code unknown_ca} for a refused TLS
     * certificate), as Envoy's {@code %UPSTREAM_TRANSPORT_FAILURE_REASON%}; {@code null} when none.
     */
    public String transportFailureReason() {
        UpstreamTransportException t = UpstreamTransportException.find(getCause());
        return t == null ? null : t.reason();
    }
}
