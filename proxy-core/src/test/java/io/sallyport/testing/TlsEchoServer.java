package io.sallyport.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.AttributeKey;
import io.sallyport.core.transport.Transport;
import io.sallyport.testing.TestCertificates.Issued;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * A Netty (JDK engine) TLS echo server on 127.0.0.1:0 for tests, recording what each client showed it:
 * SNI, client certificate, protocol, and how many application bytes it received. It echoes every byte,
 * reading only while its output drains (so it passes backpressure on);
 * on the client's close_notify (or FIN) it finishes, sends its own close_notify and closes. Optionally it
 * speaks first (a greeting right after the handshake) and then sends close_notify while keeping the TCP
 * connection open, to test half-closure.
 */
public final class TlsEchoServer implements AutoCloseable {

    /** What the server saw of one connection; {@code bytesReceived} is final once {@code closed} is done. */
    public record Seen(String sni, boolean handshakeOk, String clientSubject, String protocol) { }

    /** Server behaviour beyond echoing. */
    public record Options(List<String> protocols, Issued clientCa, String greeting, boolean closeAfterGreeting) {
        public static Options defaults() {
            return new Options(List.of("TLSv1.3", "TLSv1.2"), null, null, false);
        }

        public Options protocols(String... p) {
            return new Options(List.of(p), clientCa, greeting, closeAfterGreeting);
        }

        /** Require a client certificate issued by {@code ca}. */
        public Options requireClientCert(Issued ca) {
            return new Options(protocols, ca, greeting, closeAfterGreeting);
        }

        /** Send {@code text} as soon as the handshake is done; then close_notify (TCP stays open) if asked. */
        public Options greeting(String text, boolean thenCloseNotify) {
            return new Options(protocols, clientCa, text, thenCloseNotify);
        }
    }

    private static final AttributeKey<String> SNI = AttributeKey.valueOf("tls-echo.sni");

    private final EventLoopGroup group;
    private final Channel channel;
    private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicLong bytesReceived = new AtomicLong();
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();

    private TlsEchoServer(SslContext context, Options options) {
        this.group = Transport.platform().newEventLoopGroup(1, "tls-echo");
        ServerBootstrap b = new ServerBootstrap().group(group).channel(Transport.platform().serverSocketChannel())
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                // Reads only as fast as its echo drains, so a client that stops reading stops the writer.
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.incrementAndGet();
                        ch.pipeline().addLast(new SniHandler(host -> context) {
                            @Override
                            protected void replaceHandler(ChannelHandlerContext ctx, String hostname, SslContext c)
                                    throws Exception {
                                ctx.channel().attr(SNI).set(hostname);
                                super.replaceHandler(ctx, hostname, c);
                            }
                        });
                        ch.pipeline().addLast(new Echo(options));
                    }
                });
        try {
            this.channel = b.bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully();
            throw new IllegalStateException(e);
        }
    }

    /** A server presenting {@code leaf}'s chain. */
    public static TlsEchoServer start(Issued leaf, Options options) {
        try {
            SslContextBuilder b = SslContextBuilder.forServer(leaf.privateKey(), leaf.chain())
                    .sslProvider(SslProvider.JDK)
                    .protocols(options.protocols());
            if (options.clientCa() != null) {
                b.clientAuth(ClientAuth.REQUIRE).trustManager(options.clientCa().certificate());
            }
            return new TlsEchoServer(b.build(), options);
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** Application bytes received so far, over all connections. */
    public long bytesReceived() {
        return bytesReceived.get();
    }

    /** The next connection's record (waits at most 5 s). */
    public Seen next() throws InterruptedException {
        Seen s = seen.poll(5, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("TLS server recorded no connection within 5 s");
        }
        return s;
    }

    /** The next chunk of application text received (waits at most 5 s), or {@code null}. */
    public String nextReceived() throws InterruptedException {
        return received.poll(5, TimeUnit.SECONDS);
    }

    public void clear() {
        seen.clear();
        received.clear();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Echo extends ChannelInboundHandlerAdapter {
        private final Options options;

        Echo(Options options) {
            this.options = options;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.read();
            ctx.fireChannelActive();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                ctx.read();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent e) {
                String sni = ctx.channel().attr(SNI).get();
                if (!e.isSuccess()) {
                    seen.add(new Seen(sni, false, null, null));
                    ctx.close();
                    return;
                }
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                String subject = null;
                try {
                    subject = ((X509Certificate) ssl.engine().getSession().getPeerCertificates()[0])
                            .getSubjectX500Principal().getName();
                } catch (SSLPeerUnverifiedException none) {
                    // no client certificate
                }
                seen.add(new Seen(sni, true, subject, ssl.engine().getSession().getProtocol()));
                ctx.read();
                if (options.greeting() != null) {
                    ctx.writeAndFlush(Unpooled.copiedBuffer(options.greeting(), StandardCharsets.UTF_8));
                    if (options.closeAfterGreeting()) {
                        ssl.closeOutbound();
                    }
                }
            } else if (evt instanceof SslCloseCompletionEvent) {
                // The client is done: so are we, after what was echoed.
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                if (ssl != null && !options.closeAfterGreeting()) {
                    // close_notify only after every echo is out: the engine drops writes queued behind it.
                    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER)
                            .addListener(f -> ssl.closeOutbound().addListener(g -> ctx.close()));
                } else {
                    ctx.close();
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf) {
                bytesReceived.addAndGet(buf.readableBytes());
                if (buf.readableBytes() < 256) {
                    received.add(buf.toString(StandardCharsets.UTF_8));
                }
            }
            if (options.closeAfterGreeting()) {
                io.netty.util.ReferenceCountUtil.release(msg);
                return;
            }
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
            if (ctx.channel().isWritable()) {
                ctx.read();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
