package io.sallyport.tls;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client that connects to a loopback port, adds the handler under test, and once the handshake has
 * succeeded sends {@code ping\n} and waits for the server's answer: the whole "connect or refuse" path
 * the TCP relay will take.
 */
final class TlsProbe {

    /** How one attempt ended: {@code reason} is null when the exchange succeeded. */
    record Outcome(TlsFailureReason reason, Throwable failure, String protocol, boolean handshakeOk) {
        boolean ok() {
            return reason == null;
        }
    }

    private TlsProbe() {
    }

    static Outcome run(EventLoopGroup group, UpstreamTlsContext context, UpstreamTlsStats stats,
            String endpointHost, int port, String expectedReply) throws Exception {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        SslHandler ssl = context.newHandler(c.alloc(), endpointHost, port);
                        c.pipeline().addLast(ssl, new Exchange(ssl, stats, endpointHost + ":" + port,
                                expectedReply, outcome));
                    }
                })
                .connect(new InetSocketAddress("127.0.0.1", port)).sync().channel();
        try {
            return outcome.get(10, TimeUnit.SECONDS);
        } finally {
            ch.close().sync();
        }
    }

    private static final class Exchange extends ChannelInboundHandlerAdapter {
        private final SslHandler ssl;
        private final UpstreamTlsStats stats;
        private final String endpoint;
        private final String expected;
        private final CompletableFuture<Outcome> outcome;
        private final StringBuilder received = new StringBuilder();
        private boolean handshakeOk;
        private Throwable failure;

        Exchange(SslHandler ssl, UpstreamTlsStats stats, String endpoint, String expected,
                CompletableFuture<Outcome> outcome) {
            this.ssl = ssl;
            this.stats = stats;
            this.endpoint = endpoint;
            this.expected = expected;
            this.outcome = outcome;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            stats.track(ssl, endpoint).addListener(f -> {
                if (f.isSuccess()) {
                    handshakeOk = true;
                    ctx.writeAndFlush(Unpooled.copiedBuffer("ping\n", StandardCharsets.US_ASCII));
                } else {
                    fail(ctx, f.cause());
                }
            });
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                received.append(buf.toString(StandardCharsets.US_ASCII));
            } finally {
                buf.release();
            }
            if (received.toString().contains(expected)) {
                outcome.complete(new Outcome(null, null, ssl.engine().getSession().getProtocol(), true));
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx, cause);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail(ctx, failure != null ? failure : new IllegalStateException(
                    "connection closed after receiving \"" + received + "\""));
        }

        private void fail(ChannelHandlerContext ctx, Throwable cause) {
            if (failure == null) {
                failure = cause;
            }
            if (!outcome.isDone()) {
                outcome.complete(new Outcome(TlsFailureReason.of(failure), failure, null, handshakeOk));
            }
            ctx.close();
        }
    }
}
