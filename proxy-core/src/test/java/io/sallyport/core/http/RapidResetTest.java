package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A client that opens and resets streams in a loop (CVE-2023-44487) loses its connection. */
class RapidResetTest {

    @Test
    void resetFloodClosesTheConnection() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        java.util.concurrent.CompletableFuture<Long> goAway = new java.util.concurrent.CompletableFuture<>();
        try (TestOrigin origin = new TestOrigin(true);
             ProxyHarness proxy = new ProxyHarness("mes-rr", UpstreamHttpProtocol.HTTP2, HttpTimeouts.KUMA_DEFAULTS,
                     List.of(origin.endpoint()))) {
            Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel c) {
                            c.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                    new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                                    new ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                                            if (msg instanceof io.netty.handler.codec.http2.Http2GoAwayFrame g) {
                                                goAway.complete(g.errorCode());
                                            }
                                            io.netty.util.ReferenceCountUtil.release(msg);
                                        }
                                    });
                        }
                    }).connect("127.0.0.1", proxy.port()).sync().channel();
            int sent = 0;
            for (int i = 0; i < 1000 && ch.isActive(); i++) {
                io.netty.util.concurrent.Future<Http2StreamChannel> opened = new Http2StreamChannelBootstrap(ch)
                        .handler(new ChannelInboundHandlerAdapter()).open().awaitUninterruptibly();
                if (!opened.isSuccess()) {
                    break; // the proxy closed the connection meanwhile
                }
                Http2StreamChannel s = opened.getNow();
                s.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("GET").path("/delay/5000")
                        .scheme("http").authority("x"), true));
                s.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL)).await(5, TimeUnit.SECONDS);
                sent++;
            }
            assertThat(ch.closeFuture().await(10, TimeUnit.SECONDS)).as("connection closed by the proxy").isTrue();
            assertThat(sent).isGreaterThan(200);
            assertThat(goAway.get(5, TimeUnit.SECONDS)).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
