package io.sallyport.core.http;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 keep-alive connections of one cluster on one event loop, per endpoint. An idle connection is
 * reused most-recently-used first, closed after the idle timeout or when the server closes it or sends
 * anything unasked. A connection goes back to the pool only after a complete exchange.
 *
 * <p>The idle timeout is kept by the pool rather than by a handler in every connection's pipeline (which
 * would stamp the clock and add a listener on every write): each release records the time, and one
 * timer per pool, armed for the oldest idle connection's deadline, closes the expired ones.
 */
final class Http1ConnectionPool implements UpstreamPool {

    /** Largest response head accepted from an upstream (Envoy's default limit is 60 KiB). */
    static final int MAX_RESPONSE_HEADER_BYTES = 60 * 1024;

    private final EventLoop loop;
    private final PoolConnectionOpener connector;
    private final long idleTimeoutNanos;
    private ScheduledFuture<?> sweep;
    private final Map<UpstreamEndpoint, ArrayDeque<Channel>> idle = new HashMap<>();
    private boolean closed;
    private UpstreamEndpoint lastEndpoint;
    private ArrayDeque<Channel> lastQueue;

    Http1ConnectionPool(EventLoop loop, UpstreamChannelSource source, HttpTimeouts timeouts) {
        this.loop = loop;
        this.connector = new PoolConnectionOpener(source, timeouts.connectionTimeout(), List.of("http/1.1"));
        this.idleTimeoutNanos = timeouts.idleTimeout().toNanos();
    }

    @Override
    public Future<UpstreamLink> acquire(UpstreamEndpoint endpoint) {
        UpstreamHandler reused = pollIdle(endpoint);
        if (reused != null) {
            return loop.newSucceededFuture(reused);
        }
        Promise<UpstreamLink> promise = loop.newPromise();
        connector.connect(endpoint, loop).addListener(f -> {
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
                return;
            }
            Channel ch = (Channel) f.getNow();
            ch.pipeline().addLast("http1", new Http1UpstreamCodec(new HttpDecoderConfig()
                    .setMaxInitialLineLength(16 * 1024)
                    .setMaxHeaderSize(MAX_RESPONSE_HEADER_BYTES)
                    .setMaxChunkSize(64 * 1024)));
            UpstreamHandler h = new UpstreamHandler(endpoint);
            ch.pipeline().addLast("upstream", h);
            ch.closeFuture().addListener(c -> {
                ArrayDeque<Channel> d = idle.get(endpoint);
                if (d != null) {
                    d.remove(ch);
                }
            });
            if (!promise.trySuccess(h)) {
                ch.close();
            }
        });
        return promise;
    }

    /**
     * The most recently used idle connection to {@code endpoint}, marked as reused, or {@code null} when none
     * (the exchange's usual case, taken without a future).
     */
    UpstreamHandler pollIdle(UpstreamEndpoint endpoint) {
        ArrayDeque<Channel> q = queueOf(endpoint);
        if (q != null) {
            Channel ch;
            while ((ch = q.pollFirst()) != null) {
                if (ch.isActive()) {
                    UpstreamHandler h = UpstreamHandler.of(ch);
                    if (h != null) {
                        h.markReused();
                        return h;
                    }
                    ch.close();
                }
            }
        }
        return null;
    }

    @Override
    public void release(UpstreamLink link, boolean reusable) {
        UpstreamHandler h = (UpstreamHandler) link;
        h.detach();
        Channel ch = h.channel();
        UpstreamEndpoint endpoint = h.endpoint();
        if (!reusable || closed || endpoint == null || !ch.isActive()) {
            ch.close();
            return;
        }
        ArrayDeque<Channel> q = queueOf(endpoint);
        if (q == null) {
            q = new ArrayDeque<>(4);
            idle.put(endpoint, q);
        }
        if (idleTimeoutNanos > 0) {
            h.idleSince(System.nanoTime());
            if (sweep == null) {
                sweep = loop.schedule(this::closeExpired, idleTimeoutNanos, TimeUnit.NANOSECONDS);
            }
        }
        q.addFirst(ch);
        // Keep a read pending so a server-side close (or stray bytes) is noticed while idle.
        ch.read();
    }

    /**
     * The idle queue of {@code endpoint}, or null. A cluster usually has one endpoint: the last queue looked up
     * is remembered (a queue, once made, stays in the map while the pool is open).
     */
    private ArrayDeque<Channel> queueOf(UpstreamEndpoint endpoint) {
        if (endpoint == lastEndpoint) {
            return lastQueue;
        }
        ArrayDeque<Channel> q = idle.get(endpoint);
        if (q != null) {
            lastEndpoint = endpoint;
            lastQueue = q;
        }
        return q;
    }

    /** Closes the connections idle for the timeout (the oldest are last), then waits for the next oldest. */
    private void closeExpired() {
        sweep = null;
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        for (ArrayDeque<Channel> q : idle.values()) {
            Channel oldest;
            while ((oldest = q.peekLast()) != null) {
                UpstreamHandler h = UpstreamHandler.of(oldest);
                long waited = h == null ? idleTimeoutNanos : now - h.idleSince();
                if (waited < idleTimeoutNanos) {
                    next = Math.min(next, idleTimeoutNanos - waited);
                    break;
                }
                q.pollLast();
                oldest.close();
            }
        }
        if (next != Long.MAX_VALUE) {
            sweep = loop.schedule(this::closeExpired, next, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void close() {
        closed = true;
        if (sweep != null) {
            sweep.cancel(false);
            sweep = null;
        }
        for (ArrayDeque<Channel> q : idle.values()) {
            for (Channel ch : List.copyOf(q)) {
                ch.close();
            }
        }
        idle.clear();
        lastEndpoint = null;
        lastQueue = null;
    }

    /** Idle connections held now (for tests and the admin API). */
    int idleCount() {
        int n = 0;
        for (ArrayDeque<Channel> q : idle.values()) {
            n += q.size();
        }
        return n;
    }
}
