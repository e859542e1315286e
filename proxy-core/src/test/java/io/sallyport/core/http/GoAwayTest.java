package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An HTTP/2 origin that, on its first connection, waits for three requests, then sends GOAWAY with the
 * first stream as the last one it will process: the two refused requests must be retried on a new
 * connection and succeed.
 */
class GoAwayTest {

    private static final int IN_FLIGHT = 3;

    @Test
    void requestsAboveLastStreamIdAreRetriedOnANewConnection() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        boolean first = connections.incrementAndGet() == 1;
                        ch.pipeline().addLast(new OriginBuilder(first).build());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        try (ProxyHarness proxy = new ProxyHarness("mes-goaway", UpstreamHttpProtocol.HTTP2, HttpTimeouts.KUMA_DEFAULTS,
                List.of(UpstreamEndpoint.plain(new InetSocketAddress("127.0.0.1", port))))) {
            // Three concurrent streams on one client connection: one proxy event loop, one upstream pool.
            Http2ProxyTest.Result r = Http2ProxyTest.run("nghttp", "-n", "-m", String.valueOf(IN_FLIGHT),
                    proxy.url("/r"));
            assertThat(r.exit()).as(r.out()).isZero();
            List<HttpAccessLogEntry> entries = new ArrayList<>();
            for (int i = 0; i < IN_FLIGHT; i++) {
                entries.add(proxy.awaitEntry(e -> !entries.contains(e)));
            }
            assertThat(connections.get()).as(entries.toString()).isEqualTo(2);
            assertThat(entries).allSatisfy(e -> assertThat(e.responseCode()).isEqualTo(200));
            assertThat(entries).filteredOn(e -> e.responseFlags().equals("URX")).hasSize(IN_FLIGHT - 1);
        } finally {
            server.close().sync();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** The origin's HTTP/2 connection handler: answers streams, or GOAWAYs after the first when told to. */
    private static final class Origin extends Http2ConnectionHandler {
        private final boolean goAwayAfterFirst;
        private final List<Integer> streams = new ArrayList<>();
        private final int connection;

        Origin(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings,
               boolean goAwayAfterFirst, int connection) {
            super(decoder, encoder, settings);
            this.goAwayAfterFirst = goAwayAfterFirst;
            this.connection = connection;
        }

        void onRequest(ChannelHandlerContext ctx, int streamId) {
            if (!goAwayAfterFirst) {
                respond(ctx, streamId);
                ctx.flush();
                return;
            }
            streams.add(streamId);
            if (streams.size() == IN_FLIGHT) {
                goAway(ctx, streams.get(0), Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER, ctx.newPromise());
                respond(ctx, streams.get(0));
                ctx.flush();
            }
        }

        private void respond(ChannelHandlerContext ctx, int streamId) {
            Http2Headers h = new DefaultHttp2Headers().status("200");
            encoder().writeHeaders(ctx, streamId, h, 0, false, ctx.newPromise());
            ByteBuf body = Unpooled.copiedBuffer("ok from connection " + connection, StandardCharsets.US_ASCII);
            encoder().writeData(ctx, streamId, body, 0, true, ctx.newPromise());
        }
    }

    private static final AtomicInteger CONNECTION_IDS = new AtomicInteger();

    private static final class OriginBuilder extends AbstractHttp2ConnectionHandlerBuilder<Origin, OriginBuilder> {
        private final boolean goAwayAfterFirst;
        private Origin origin;

        OriginBuilder(boolean goAwayAfterFirst) {
            this.goAwayAfterFirst = goAwayAfterFirst;
            server(true);
            frameListener(new Http2FrameAdapter() {
                @Override
                public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                          boolean endStream) {
                    if (endStream) {
                        origin.onRequest(ctx, streamId);
                    }
                }

                @Override
                public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
                                          int streamDependency, short weight, boolean exclusive, int padding,
                                          boolean endStream) {
                    onHeadersRead(ctx, streamId, headers, padding, endStream);
                }

                @Override
                public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
                                      boolean endOfStream) {
                    if (endOfStream) {
                        origin.onRequest(ctx, streamId);
                    }
                    return data.readableBytes() + padding;
                }
            });
        }

        @Override
        public Origin build() {
            return super.build();
        }

        @Override
        protected Origin build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
            origin = new Origin(decoder, encoder, settings, goAwayAfterFirst, CONNECTION_IDS.incrementAndGet());
            return origin;
        }
    }
}
