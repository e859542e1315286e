package io.sallyport.core.http;

import io.netty.handler.codec.http.HttpObject;

/** Receives what happens on the upstream side of one exchange (called on the exchange's event loop). */
interface UpstreamListener {

    /** A response head, body chunk or end (the listener owns {@code msg}). */
    void onUpstreamRead(HttpObject msg);

    void onUpstreamReadComplete();

    void onUpstreamWritabilityChanged(boolean writable);

    /** The upstream stream or connection closed. */
    void onUpstreamInactive();

    /**
     * The upstream refused the request without processing it (GOAWAY above its last stream id, or
     * {@code REFUSED_STREAM}): it may be retried on another connection.
     */
    void onUpstreamRefused();

    /** The upstream stream was reset with this HTTP/2 error code. */
    void onUpstreamReset(long errorCode);

    void onUpstreamException(Throwable cause);
}
