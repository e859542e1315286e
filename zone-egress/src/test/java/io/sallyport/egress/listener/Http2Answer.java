package io.sallyport.egress.listener;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;
import io.sallyport.testing.TestCertificates.Issued;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** One HTTP/2 request through the mesh tunnel (mesh certificate, Kuma SNI, ALPN kuma); returns the response headers. */
final class Http2Answer {

    private Http2Answer() {
    }

    static Http2Headers request(InetSocketAddress egress, String sni, Issued client, Issued ca, boolean grpc)
            throws Exception {
        SslContext ssl = SslContextBuilder.forClient()
                .keyManager(client.privateKey(), client.chain().toArray(new X509Certificate[0]))
                .trustManager(ca.certificate())
                .endpointIdentificationAlgorithm(null) // the egress is checked by its SPIFFE ID, not the SNI
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "kuma"))
                .build();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel c) {
                            c.pipeline().addLast(ssl.newHandler(c.alloc(), sni, egress.getPort()),
                                    Http2FrameCodecBuilder.forClient().build(),
                                    new Http2MultiplexHandler(new SimpleChannelInboundHandler<Object>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                                        }
                                    }));
                        }
                    }).connect(egress).sync().channel();
            CompletableFuture<Http2Headers> answer = new CompletableFuture<>();
            Http2StreamChannel stream = new Http2StreamChannelBootstrap(ch).handler(
                    new SimpleChannelInboundHandler<Http2StreamFrame>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
                            if (frame instanceof Http2HeadersFrame h) {
                                answer.complete(h.headers());
                            }
                        }
                    }).open().sync().getNow();
            Http2Headers headers = new DefaultHttp2Headers().method("POST").scheme("https").path("/svc/Call")
                    .authority("api");
            if (grpc) {
                headers.set("content-type", "application/grpc").set("te", "trailers");
            }
            stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true)).sync();
            Http2Headers result = answer.get(10, TimeUnit.SECONDS);
            ch.close().sync();
            return result;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            ReferenceCountUtil.release(ssl);
        }
    }
}
