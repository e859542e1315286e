package io.sallyport.tls;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.AttributeKey;
import io.sallyport.testing.TestCertificates.Issued;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;

/** A Netty TLS echo server on 127.0.0.1:0 that records what each client showed it. */
final class NettyTlsServer implements AutoCloseable {

    /** What the server saw of one connection. */
    record Seen(String sni, boolean handshakeOk, String clientSubject, String protocol, String sessionId,
            long sessionCreated, String alpn) { }

    private static final AttributeKey<String> SNI = AttributeKey.valueOf("test.sni");

    private final Channel channel;
    private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();

    /** A server presenting {@code leaf}'s chain, offering {@code protocols}, optionally requiring a client cert. */
    static NettyTlsServer start(EventLoopGroup group, Issued leaf, List<String> protocols, Issued clientCa)
            throws Exception {
        return start(group, leaf, protocols, clientCa, b -> b);
    }

    /** As above, with more server settings (ALPN, session tickets). */
    static NettyTlsServer start(EventLoopGroup group, Issued leaf, List<String> protocols, Issued clientCa,
            java.util.function.UnaryOperator<SslContextBuilder> more) throws Exception {
        SslContextBuilder b = SslContextBuilder.forServer(leaf.privateKey(), leaf.chain())
                .sslProvider(SslProvider.JDK)
                .protocols(protocols);
        if (clientCa != null) {
            b.clientAuth(ClientAuth.REQUIRE).trustManager(clientCa.certificate());
        }
        return new NettyTlsServer(group, more.apply(b).build());
    }

    private NettyTlsServer(EventLoopGroup group, SslContext context) throws InterruptedException {
        channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new SniHandler(host -> context) {
                            @Override
                            protected void replaceHandler(ChannelHandlerContext ctx, String hostname, SslContext c)
                                    throws Exception {
                                ctx.channel().attr(SNI).set(hostname);
                                super.replaceHandler(ctx, hostname, c);
                            }
                        });
                        ch.pipeline().addLast(new Echo());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** The next connection's record (waits at most 5 s). */
    Seen next() throws InterruptedException {
        Seen s = seen.poll(5, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("server recorded no connection within 5 s");
        }
        return s;
    }

    void clear() {
        seen.clear();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    private final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent e) {
                String sni = ctx.channel().attr(SNI).get();
                if (!e.isSuccess()) {
                    seen.add(new Seen(sni, false, null, null, null, 0, null));
                    ctx.close();
                    return;
                }
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                String subject = null;
                try {
                    Certificate[] peer = ssl.engine().getSession().getPeerCertificates();
                    subject = ((X509Certificate) peer[0]).getSubjectX500Principal().getName();
                } catch (SSLPeerUnverifiedException none) {
                    // no client certificate
                }
                javax.net.ssl.SSLSession session = ssl.engine().getSession();
                seen.add(new Seen(sni, true, subject, session.getProtocol(),
                        io.netty.buffer.ByteBufUtil.hexDump(session.getId()), session.getCreationTime(),
                        ssl.applicationProtocol()));
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
