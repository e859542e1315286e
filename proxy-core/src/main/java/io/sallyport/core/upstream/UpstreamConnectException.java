package io.sallyport.core.upstream;

import io.sallyport.core.accesslog.ResponseFlag;

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
}
