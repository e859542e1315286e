package io.sallyport.core.http;

import io.netty.channel.EventLoop;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One upstream cluster as the HTTP connection manager sees it: its name (for stats and logs), how to
 * speak to it, where its connections come from, its timeouts, and its connection pools, one per event
 * loop. Build one per cluster per snapshot and {@link #close()} it when the snapshot is retired.
 */
public final class HttpCluster implements AutoCloseable {

    private final String name;
    private final UpstreamHttpProtocol protocol;
    private final UpstreamChannelSource source;
    private final HttpTimeouts timeouts;
    private final HttpClusterStats stats;
    private final Map<EventLoop, UpstreamPool> pools = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public HttpCluster(String name, UpstreamHttpProtocol protocol, UpstreamChannelSource source,
                       HttpTimeouts timeouts, HttpClusterStats stats) {
        this.name = Objects.requireNonNull(name, "name");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.source = Objects.requireNonNull(source, "source");
        this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
        this.stats = Objects.requireNonNull(stats, "stats");
    }

    public String name() {
        return name;
    }

    public UpstreamHttpProtocol protocol() {
        return protocol;
    }

    public UpstreamChannelSource source() {
        return source;
    }

    public HttpTimeouts timeouts() {
        return timeouts;
    }

    public HttpClusterStats stats() {
        return stats;
    }

    /** The pool of this cluster on {@code loop}; called on {@code loop}. */
    UpstreamPool pool(EventLoop loop) {
        UpstreamPool p = pools.get(loop);
        if (p == null) {
            p = protocol == UpstreamHttpProtocol.HTTP1
                    ? new Http1ConnectionPool(loop, source, timeouts)
                    : new Http2ConnectionPool(loop, source, timeouts);
            pools.put(loop, p);
            if (closed) {
                p.close();
            }
        }
        return p;
    }

    boolean isClosed() {
        return closed;
    }

    /** Closes every pooled connection (on each pool's own loop); requests in flight finish on theirs. */
    @Override
    public void close() {
        closed = true;
        for (Map.Entry<EventLoop, UpstreamPool> e : pools.entrySet()) {
            UpstreamPool p = e.getValue();
            EventLoop loop = e.getKey();
            if (loop.isShuttingDown()) {
                continue; // its channels are closing with it
            }
            try {
                loop.execute(p::close);
            } catch (java.util.concurrent.RejectedExecutionException ignored) {
                // The loop terminated meanwhile, and its channels with it.
            }
        }
    }
}
