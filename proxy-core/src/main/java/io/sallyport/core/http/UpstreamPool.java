package io.sallyport.core.http;

import io.netty.util.concurrent.Future;

/**
 * The upstream connections of one cluster on one event loop. Every method runs on that loop, so the
 * pool needs no locks. {@link #acquire} yields an {@link UpstreamLink} that reads and writes
 * {@code HttpObject}s: an HTTP/1.1 connection or an HTTP/2 stream.
 */
interface UpstreamPool {

    Future<UpstreamLink> acquire(UpstreamEndpoint endpoint);

    /**
     * Gives the link back after an exchange. {@code reusable} is true only when the request was written
     * completely and the whole response was read and allows keep-alive.
     */
    void release(UpstreamLink link, boolean reusable);

    /** Closes every pooled connection. */
    void close();
}
