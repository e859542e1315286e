package io.sallyport.sni.sniff;

import java.util.Objects;

/**
 * What {@link HttpSniffer} found at the start of a connection.
 *
 * @param status the verdict
 * @param host   for {@link Status#HTTP1} the {@code Host} header, for {@link Status#HTTP2} the first
 *               request's {@code :authority} (or {@code host}); without port or IPv6 brackets; {@code null}
 *               when absent or not (yet) known
 */
public record HttpSniffResult(Status status, String host) {

    /** Not enough bytes yet to decide. */
    public static final HttpSniffResult NEED_MORE = new HttpSniffResult(Status.NEED_MORE, null);
    /** Not an HTTP/1.x request line and not the HTTP/2 preface. */
    public static final HttpSniffResult NOT_HTTP = new HttpSniffResult(Status.NOT_HTTP, null);

    public HttpSniffResult {
        Objects.requireNonNull(status, "status");
    }

    /** An HTTP/1.x request. */
    public static HttpSniffResult http1(String host) {
        return new HttpSniffResult(Status.HTTP1, host);
    }

    /** An HTTP/2 prior-knowledge connection (the preface). */
    public static HttpSniffResult http2(String authority) {
        return new HttpSniffResult(Status.HTTP2, authority);
    }

    /** The verdict of a sniff. */
    public enum Status { NEED_MORE, NOT_HTTP, HTTP1, HTTP2 }
}
