package io.sallyport.core.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
    private final class Connection {
        final UpstreamEndpoint endpoint;
        Channel channel;
        Http2FrameCodec codec;
        /** Opens this connection's streams (one bootstrap per connection, reused). */
        Http2StreamChannelBootstrap streamOpener;
        boolean ready;
        boolean goingAway;
        int streams;
        final List<Promise<Channel>> waiters = new ArrayList<>();

        Connection(UpstreamEndpoint endpoint) {
            this.endpoint = endpoint;
        }

        int maxStreams() {
            return codec == null ? 1 : codec.connection().local().maxActiveStreams();
        }

        boolean hasRoom() {
            // Netty records a GOAWAY before any handler (ours or the streams') sees the frame.
            if (codec != null && codec.connection().goAwayReceived()) {
                goingAway = true;
            }
            return !goingAway && streams + (ready ? 0 : waiters.size()) < maxStreams()
                    && (channel == null || channel.isActive());
        }
    }

    @Override
    public Future<Channel> acquire(UpstreamEndpoint endpoint) {
        Promise<Channel> promise = loop.newPromise();
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
        c.streamOpener = new Http2StreamChannelBootstrap(ch).option(ChannelOption.AUTO_READ, false)
                .handler(STREAM_INITIALIZER);
        c.codec = Http2FrameCodecBuilder.forClient()
                .initialSettings(Http2Settings.defaultSettings()
                        .pushEnabled(false)
                        .initialWindowSize(STREAM_WINDOW)
                        .maxHeaderListSize(MAX_HEADER_LIST_BYTES))
                .decoderEnforceMaxRstFramesPerWindow(200, 30)
                .validateHeaders(true)
                .build();
        if (!idleTimeout.isZero()) {
            ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toNanos(), TimeUnit.NANOSECONDS));
        }
        // Stream writes made in one event-loop turn (many exchanges forwarding requests) leave in one write.
        ch.pipeline().addLast("flush", new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        ch.pipeline().addLast("h2", c.codec);
        ch.pipeline().addLast("mux", new Http2MultiplexHandler(new RejectPushHandler()));
        ch.pipeline().addLast("watch", new ConnectionWatcher(c));
        ch.closeFuture().addListener(x -> {
            list.remove(c);
            failWaiters(c, new java.nio.channels.ClosedChannelException());
        });
        ch.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - 65_535));
        // HTTP/2 is flow-controlled per stream: the connection itself always reads.
        ch.config().setAutoRead(true);
    }

    private void onReady(Connection c) {
        if (c.ready) {
            return;
        }
        c.ready = true;
        LOG.debug("HTTP/2 connection {} ready: max streams {}, {} waiting", c.channel, c.maxStreams(), c.waiters.size());
        List<Promise<Channel>> waiting = new ArrayList<>(c.waiters);
        c.waiters.clear();
        for (Promise<Channel> p : waiting) {
            if (c.hasRoom()) {
                openStream(c, p);
            } else {
                // Over this connection's limit: take another connection.
                acquire(c.endpoint).addListener(f -> {
                    if (f.isSuccess()) {
                        if (!p.trySuccess((Channel) f.getNow())) {
                            ((Channel) f.getNow()).close();
                        }
                    } else {
                        p.tryFailure(f.cause());
                    }
                });
            }
        }
    }

    private void failWaiters(Connection c, Throwable cause) {
        List<Promise<Channel>> waiting = new ArrayList<>(c.waiters);
        c.waiters.clear();
        for (Promise<Channel> p : waiting) {
            p.tryFailure(cause);
        }
    }

    private void openStream(Connection c, Promise<Channel> promise) {
        c.streams++;
        c.streamOpener.open().addListener(f -> {
            if (!f.isSuccess()) {
                c.streams--;
                promise.tryFailure(f.cause());
                return;
            }
            Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
            stream.closeFuture().addListener(x -> {
                c.streams--;
                if (c.goingAway && c.streams == 0) {
                    c.channel.close();
                }
            });
            if (!promise.trySuccess(stream)) {
                stream.close();
            }
        });
    }

    private static final ChannelHandler STREAM_INITIALIZER = new StreamInitializer();

    @ChannelHandler.Sharable
    private static final class StreamInitializer extends ChannelInitializer<Http2StreamChannel> {
        @Override
        protected void initChannel(Http2StreamChannel ch) {
            ch.pipeline().addLast(new Http2UpstreamStreamCodec(), new UpstreamHandler());
        }
    }

    @Override
    public void release(Channel channel, boolean reusable) {
        UpstreamHandler h = channel.pipeline().get(UpstreamHandler.class);
        if (h != null) {
            h.detach();
        }
        // A finished stream is already closed; closing an open one resets it (RST_STREAM CANCEL).
        channel.close();
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

    /** Watches the connection: first SETTINGS (ready), GOAWAY (no new streams), idle (close). */
    private final class ConnectionWatcher extends ChannelInboundHandlerAdapter {
        private final Connection c;

        ConnectionWatcher(Connection c) {
            this.c = c;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2SettingsFrame) {
                    onReady(c);
                } else if (msg instanceof Http2GoAwayFrame goAway) {
                    LOG.debug("GOAWAY on {}: last stream {}, {} streams open", ctx.channel(), goAway.lastStreamId(), c.streams);
                    c.goingAway = true;
                    failWaitersLater();
                    if (c.streams == 0) {
                        ctx.close();
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void failWaitersLater() {
            if (!c.waiters.isEmpty()) {
                List<Promise<Channel>> waiting = new ArrayList<>(c.waiters);
                c.waiters.clear();
                for (Promise<Channel> p : waiting) {
                    acquire(c.endpoint).addListener(f -> {
                        if (f.isSuccess()) {
                            if (!p.trySuccess((Channel) f.getNow())) {
                                ((Channel) f.getNow()).close();
                            }
                        } else {
                            p.tryFailure(f.cause());
                        }
                    });
                }
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent && c.streams == 0) {
                ctx.close();
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Server push is disabled in our SETTINGS; a pushed stream is refused. */
    @ChannelHandler.Sharable
    private static final class RejectPushHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRegistered(ChannelHandlerContext ctx) {
            ctx.channel().close();
        }
    }
}
