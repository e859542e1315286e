package io.sallyport.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.sallyport.testing.OpensslServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code allowRenegotiation} against a real OpenSSL server that asks for a TLS 1.2 renegotiation mid-stream
 * and then sends a line. BoringSSL does what the setting says; the JDK engine has no per-connection
 * switch and always accepts a server's secure renegotiation (documented in docs/tls.md).
 */
class RenegotiationTest {

    private static EventLoopGroup group;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @ParameterizedTest(name = "{0} allowRenegotiation={1} -> renegotiated={2}")
    @CsvSource({
            "OPENSSL, false, false",
            "OPENSSL, true, true",
            "JDK, true, true",
            "JDK, false, true",
    })
    void serverInitiatedRenegotiation(SslProvider provider, boolean allow, boolean expectRenegotiated) throws Exception {
        UpstreamTlsSpec spec = UpstreamTlsSpec.builder().caCertPem(TlsZoo.ROOT.certificatePem())
                .allowRenegotiation(allow).build();
        UpstreamTlsContext ctx = new UpstreamTlsContextFactory(provider, new SystemTrust(Map.of(), List.of())).get(spec);
        try (OpensslServer server = OpensslServer.start(dir, TlsZoo.GOOD, List.of("-tls1_2"), false)) {
            CompletableFuture<Void> handshake = new CompletableFuture<>();
            CompletableFuture<String> result = new CompletableFuture<>();
            Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            SslHandler ssl = ctx.newHandler(c.alloc(), TlsZoo.HOST, server.port());
                            ssl.handshakeFuture().addListener(f -> {
                                if (f.isSuccess()) {
                                    handshake.complete(null);
                                } else {
                                    handshake.completeExceptionally(f.cause());
                                }
                            });
                            c.pipeline().addLast(ssl, new Collect(result));
                        }
                    })
                    .connect(new InetSocketAddress("127.0.0.1", server.port())).sync().channel();
            try {
                handshake.get(10, TimeUnit.SECONDS);
                server.awaitLine("Secure Renegotiation IS supported");
                server.command("r");
                String verdict = server.awaitLine("SSL_do_handshake -> ");
                if (verdict.endsWith("-> 1")) {
                    // s_server reports 1 once it has sent its request; a client that refuses closes the
                    // connection, and s_server (one connection only) may have exited before this line.
                    try {
                        server.command("hello");
                    } catch (IOException serverGone) {
                        if (expectRenegotiated) {
                            throw serverGone;
                        }
                    }
                }
                String outcome = result.get(10, TimeUnit.SECONDS);
                assertThat(outcome.equals("hello"))
                        .as("client outcome %s, server said %s", outcome, verdict).isEqualTo(expectRenegotiated);
            } finally {
                ch.close().sync();
            }
        }
    }

    /** Completes with "hello" when that line arrives, or with the failure that ended the connection. */
    private static final class Collect extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<String> result;
        private final StringBuilder received = new StringBuilder();

        Collect(CompletableFuture<String> result) {
            this.result = result;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                received.append(buf.toString(StandardCharsets.US_ASCII));
            } finally {
                buf.release();
            }
            if (received.toString().contains("hello\n")) {
                result.complete("hello");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.complete("failed: " + cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.complete("closed");
        }
    }
}
