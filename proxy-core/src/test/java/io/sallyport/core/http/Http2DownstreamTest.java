package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import io.sallyport.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP/2 downstream path with a Netty client that controls frames and windows: many streams on one
 * connection, a client that stops reading (the proxy must stop pulling from the origin), and a client
 * that resets a stream in the middle of its request body.
 */
class Http2DownstreamTest {

    private static TestOrigin h1Origin;
    private static TestOrigin h2Origin;
    private static ProxyHarness toH1;
    private static ProxyHarness toH2;
    private static EventLoopGroup clients;
    private static final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();

    @BeforeAll
    static void start() throws Exception {
        h1Origin = new TestOrigin(false);
        h2Origin = new TestOrigin(true);
        toH1 = new ProxyHarness("mes-h2d-h1", UpstreamHttpProtocol.HTTP1, HttpTimeouts.KUMA_DEFAULTS,
                List.of(h1Origin.endpoint()));
        toH2 = new ProxyHarness("mes-h2d-h2", UpstreamHttpProtocol.HTTP2, HttpTimeouts.KUMA_DEFAULTS,
                List.of(h2Origin.endpoint()));
        clients = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stop() {
        toH1.close();
        toH2.close();
        h1Origin.close();
        h2Origin.close();
        clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        sampler.shutdownNow();
    }

    private static ProxyHarness proxy(boolean h2Upstream) {
        return h2Upstream ? toH2 : toH1;
    }

    /** An h2c prior-knowledge client connection with default (64 KiB) windows. */
    private static Channel connect(ProxyHarness proxy) throws InterruptedException {
        return new Bootstrap().group(clients).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                }).connect("127.0.0.1", proxy.port()).sync().channel();
    }

    private static Http2Headers request(String method, String path) {
        return new DefaultHttp2Headers().method(method).path(path).scheme("http").authority("h2d.test");
    }

    /** What one client stream received. */
    private static final class Probe extends ChannelInboundHandlerAdapter {
        final CompletableFuture<String> status = new CompletableFuture<>();
        final CompletableFuture<Long> done = new CompletableFuture<>();
        final AtomicLong bytes = new AtomicLong();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame h) {
                    if (h.headers().status() != null) {
                        status.complete(h.headers().status().toString());
                    }
                    if (h.isEndStream()) {
                        done.complete(bytes.get());
                    }
                } else if (msg instanceof Http2DataFrame d) {
                    bytes.addAndGet(d.content().readableBytes());
                    if (d.isEndStream()) {
                        done.complete(bytes.get());
                    }
                } else if (msg instanceof Http2ResetFrame r) {
                    done.completeExceptionally(new IllegalStateException("reset " + r.errorCode()));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new IllegalStateException("stream closed early"));
        }
    }

    private static Http2StreamChannel open(Channel conn, Probe probe, boolean autoRead) {
        Http2StreamChannel s = new Http2StreamChannelBootstrap(conn).option(ChannelOption.AUTO_READ, autoRead)
                .handler(probe).open().syncUninterruptibly().getNow();
        return s;
    }

    @ParameterizedTest(name = "HTTP/2 upstream: {0}")
    @ValueSource(booleans = {false, true})
    void threeHundredConcurrentStreamsOnOneConnection(boolean h2Upstream) throws Exception {
        ProxyHarness proxy = proxy(h2Upstream);
        Channel conn = connect(proxy);
        try {
            List<Probe> probes = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                Probe p = new Probe();
                probes.add(p);
                Http2StreamChannel s = open(conn, p, true);
                s.writeAndFlush(new DefaultHttp2HeadersFrame(request("GET", "/bytes/" + (3000 + i)), true));
            }
            for (int i = 0; i < probes.size(); i++) {
                Probe p = probes.get(i);
                assertThat(p.status.get(20, TimeUnit.SECONDS)).isEqualTo("200");
                assertThat(p.done.get(20, TimeUnit.SECONDS)).isEqualTo(3000L + i);
            }
            for (int i = 0; i < 300; i += 37) {
                String path = "/bytes/" + (3000 + i);
                HttpAccessLogEntry e = proxy.awaitEntry(x -> x.path().equals(path));
                assertThat(e.protocol()).isEqualTo("HTTP/2");
                assertThat(e.responseCode()).isEqualTo(200);
                assertThat(e.bytesSent()).isEqualTo(3000L + i);
            }
        } finally {
            conn.close().sync();
        }
    }

    @ParameterizedTest(name = "HTTP/2 upstream: {0}")
    @ValueSource(booleans = {false, true})
    void slowReaderSlowsTheOriginAndThenGetsEveryByte(boolean h2Upstream) throws Exception {
        ProxyHarness proxy = proxy(h2Upstream);
        long size = 64L << 20;
        Channel conn = connect(proxy);
        AtomicLong peak = new AtomicLong();
        try {
            Probe p = new Probe();
            Http2StreamChannel s = open(conn, p, false);
            s.writeAndFlush(new DefaultHttp2HeadersFrame(request("GET", "/bytes/" + size), true));
            s.read();
            assertThat(p.status.get(10, TimeUnit.SECONDS)).isEqualTo("200");
            // The client reads no more: its 64 KiB stream window fills and stays full.
            var watch = sampler.scheduleAtFixedRate(
                    () -> peak.accumulateAndGet(proxy.allocator.metric().usedDirectMemory(), Math::max),
                    0, 5, TimeUnit.MILLISECONDS);
            try {
                assertThat(Await.stalled(() -> proxy.allocator.metric().usedDirectMemory(), Duration.ofMillis(700),
                        Duration.ofSeconds(20))).as("proxy stopped reading the origin").isTrue();
            } finally {
                watch.cancel(false);
            }
            assertThat(p.bytes.get()).isLessThan(size);
            s.config().setAutoRead(true);
            assertThat(p.done.get(60, TimeUnit.SECONDS)).isEqualTo(size);
        } finally {
            conn.close().sync();
        }
        assertThat(peak.get()).as("proxy direct memory while the client stalls").isPositive().isLessThan(16L << 20);
    }

    @ParameterizedTest(name = "HTTP/2 upstream: {0}")
    @ValueSource(booleans = {false, true})
    void clientResetMidBodyEndsTheExchangeAndTheConnectionGoesOn(boolean h2Upstream) throws Exception {
        ProxyHarness proxy = proxy(h2Upstream);
        TestOrigin origin = h2Upstream ? h2Origin : h1Origin;
        int closesBefore = origin.closes.availablePermits();
        Channel conn = connect(proxy);
        try {
            Probe p = new Probe();
            Http2StreamChannel s = open(conn, p, true);
            String path = "/sink?reset=" + h2Upstream;
            s.write(new DefaultHttp2HeadersFrame(request("POST", path), false));
            s.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[20_000]), false)).sync();
            s.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL)).sync();
            HttpAccessLogEntry e = proxy.awaitEntry(x -> x.path().equals(path));
            assertThat(e.responseFlags()).contains("DC");
            assertThat(e.responseCode()).isZero();
            if (!h2Upstream) {
                // The half-sent request leaves its upstream connection unusable: it is closed, not pooled.
                assertThat(Await.until(() -> origin.closes.availablePermits() > closesBefore, Duration.ofSeconds(10)))
                        .as("upstream connection closed").isTrue();
            }
            // The connection still carries new streams, with the window of the reset stream given back.
            for (int i = 0; i < 3; i++) {
                Probe next = new Probe();
                Http2StreamChannel n = open(conn, next, true);
                n.write(new DefaultHttp2HeadersFrame(request("POST", "/sink"), false));
                n.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[30_000]), true));
                assertThat(next.status.get(10, TimeUnit.SECONDS)).isEqualTo("200");
                assertThat(next.done.get(10, TimeUnit.SECONDS)).isPositive();
            }
        } finally {
            conn.close().sync();
        }
    }
}
