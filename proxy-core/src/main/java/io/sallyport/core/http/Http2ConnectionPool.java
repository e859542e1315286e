package io.sallyport.core.http;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Multiplexed HTTP/2 connections of one cluster on one event loop, per endpoint: prior knowledge over
 * plaintext, ALPN {@code h2} over TLS. A stream goes to a connection below the server's
 * {@code MAX_CONCURRENT_STREAMS} that has not received GOAWAY; otherwise a new connection is opened.
 * A connection is used only after the server's first SETTINGS frame, so its limit is known.
 */
final class Http2ConnectionPool implements UpstreamPool {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Http2ConnectionPool.class);

    /** Stream flow-control window we grant the upstream; bounds the bytes buffered per stream. */
    static final int STREAM_WINDOW = 256 * 1024;
    /** Connection window, large enough that one slow stream does not stall the others. */
    static final int CONNECTION_WINDOW = 4 * 1024 * 1024;
    static final int MAX_HEADER_LIST_BYTES = 64 * 1024;

    private final EventLoop loop;
    private final PoolConnectionOpener connector;
    private final Duration idleTimeout;
    private final Map<UpstreamEndpoint, List<Connection>> connections = new HashMap<>();
    private boolean closed;

    Http2ConnectionPool(EventLoop loop, UpstreamChannelSource source, HttpTimeouts timeouts) {
        this.loop = loop;
        this.connector = new PoolConnectionOpener(source, timeouts.connectionTimeout(), List.of("h2"));
        this.idleTimeout = timeouts.idleTimeout();
    }

    /** One upstream HTTP/2 connection and its stream accounting. */
    private final class Connection implements Http2UpstreamConnection.Events {
        final UpstreamEndpoint endpoint;
        Channel channel;
        Http2UpstreamConnection handler;
        boolean ready;
        boolean goingAway;
        /** Streams handed out and not yet over. */
        int streams;
        final List<Promise<UpstreamLink>> waiters = new ArrayList<>();

        Connection(UpstreamEndpoint endpoint) {
            this.endpoint = endpoint;
        }

        int maxStreams() {
            return handler == null ? 1 : handler.connection().local().maxActiveStreams();
        }

        boolean hasRoom() {
            // Netty records a GOAWAY before any listener sees it.
            if (handler != null && handler.connection().goAwayReceived()) {
                goingAway = true;
            }
            return !goingAway && streams + (ready ? 0 : waiters.size()) < maxStreams()
                    && (channel == null || channel.isActive());
        }

        @Override
        public void onReady() {
            Http2ConnectionPool.this.onReady(this);
        }

        @Override
        public void onGoAway() {
            goingAway = true;
            reacquireWaiters(this);
            if (streams == 0) {
                channel.close();
            }
        }

        @Override
        public void onStreamEnded() {
            streams--;
            if (goingAway && streams == 0) {
                channel.close();
            }
        }
    }

    @Override
    public Future<UpstreamLink> acquire(UpstreamEndpoint endpoint) {
        Promise<UpstreamLink> promise = loop.newPromise();
        if (closed) {
            promise.setFailure(new IllegalStateException("pool closed"));
            return promise;
        }
        List<Connection> list = connections.computeIfAbsent(endpoint, e -> new ArrayList<>(2));
        for (Connection c : list) {
            if (c.ready && c.hasRoom()) {
                openStream(c, promise);
                return promise;
            }
        }
        for (Connection c : list) {
            // A connection still starting: queue, up to a guess of its limit (100 is the RFC's advice).
            if (!c.ready && !c.goingAway && c.waiters.size() < 100) {
                c.waiters.add(promise);
                return promise;
            }
        }
        Connection c = new Connection(endpoint);
        LOG.debug("new HTTP/2 connection to {} ({} open)", endpoint.describe(), list.size());
        c.waiters.add(promise);
        list.add(c);
        connector.connect(endpoint, loop).addListener(f -> {
            if (!f.isSuccess()) {
                list.remove(c);
                failWaiters(c, f.cause());
                return;
            }
            Channel ch = (Channel) f.getNow();
            SslHandler ssl = ch.pipeline().get(SslHandler.class);
            if (ssl != null && ssl.applicationProtocol() != null && !"h2".equals(ssl.applicationProtocol())) {
                list.remove(c);
                ch.close();
                failWaiters(c, new IllegalStateException("upstream " + endpoint.describe()
                        + " negotiated ALPN " + ssl.applicationProtocol() + " instead of h2"));
                return;
            }
            start(c, ch, list);
        });
        return promise;
    }

    private void start(Connection c, Channel ch, List<Connection> list) {
        c.channel = ch;
        c.handler = Http2UpstreamConnection.create(c);
        if (!idleTimeout.isZero()) {
            ch.pipeline().addLast("idle", new Http2IdleCloser(idleTimeout));
        }
        ch.pipeline().addLast("h2", c.handler);
        ch.closeFuture().addListener(x -> {
            list.remove(c);
            failWaiters(c, new java.nio.channels.ClosedChannelException());
        });
        // HTTP/2 is flow-controlled per stream: the connection itself always reads.
        ch.config().setAutoRead(true);
    }

    private void onReady(Connection c) {
        if (c.ready) {
            return;
        }
        c.ready = true;
        LOG.debug("HTTP/2 connection {} ready: max streams {}, {} waiting", c.channel, c.maxStreams(), c.waiters.size());
        List<Promise<UpstreamLink>> waiting = new ArrayList<>(c.waiters);
        c.waiters.clear();
        for (Promise<UpstreamLink> p : waiting) {
            if (c.hasRoom()) {
                openStream(c, p);
            } else {
                // Over this connection's limit: take another connection.
                reacquire(c.endpoint, p);
            }
        }
    }

    /** A connection going away before it was ready: its waiters try the other connections. */
    private void reacquireWaiters(Connection c) {
        if (!c.waiters.isEmpty()) {
            List<Promise<UpstreamLink>> waiting = new ArrayList<>(c.waiters);
            c.waiters.clear();
            for (Promise<UpstreamLink> p : waiting) {
                reacquire(c.endpoint, p);
            }
        }
    }

    private void reacquire(UpstreamEndpoint endpoint, Promise<UpstreamLink> p) {
        acquire(endpoint).addListener(f -> {
            if (f.isSuccess()) {
                UpstreamLink link = (UpstreamLink) f.getNow();
                if (!p.trySuccess(link)) {
                    release(link, false);
                }
            } else {
                p.tryFailure(f.cause());
            }
        });
    }

    private void failWaiters(Connection c, Throwable cause) {
        List<Promise<UpstreamLink>> waiting = new ArrayList<>(c.waiters);
        c.waiters.clear();
        for (Promise<UpstreamLink> p : waiting) {
            p.tryFailure(cause);
        }
    }

    private void openStream(Connection c, Promise<UpstreamLink> promise) {
        c.streams++;
        Http2UpstreamStream stream = c.handler.newStream();
        if (!promise.trySuccess(stream)) {
            stream.release();
        }
    }

    @Override
    public void release(UpstreamLink link, boolean reusable) {
        // A finished stream is already closed; an open one is reset (RST_STREAM CANCEL).
        ((Http2UpstreamStream) link).release();
    }

    @Override
    public void close() {
        closed = true;
        for (List<Connection> list : connections.values()) {
            for (Connection c : List.copyOf(list)) {
                if (c.channel != null) {
                    c.channel.close();
                }
            }
        }
        connections.clear();
    }

    /** Open upstream connections to {@code endpoint} (for tests and the admin API). */
    int connectionCount(UpstreamEndpoint endpoint) {
        List<Connection> list = connections.get(endpoint);
        return list == null ? 0 : list.size();
    }

}
