package io.sallyport.core.http;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;

/**
 * The upstream connections of one cluster on one event loop. Every method runs on that loop, so the
 * pool needs no locks. {@link #acquire} yields a channel that reads and writes {@code HttpObject}s and
 * ends with an {@link UpstreamHandler}: an HTTP/1.1 connection or an HTTP/2 stream.
 */
interface UpstreamPool {

    /** Set on a channel that served an earlier request: a failure before any response byte may be retried. */
    AttributeKey<Boolean> REUSED = AttributeKey.valueOf(UpstreamPool.class, "reused");

    Future<Channel> acquire(UpstreamEndpoint endpoint);

    /**
     * Gives the channel back after an exchange. {@code reusable} is true only when the request was written
     * completely and the whole response was read and allows keep-alive.
     */
    void release(Channel channel, boolean reusable);

    /** Closes every pooled connection. */
    void close();
}
