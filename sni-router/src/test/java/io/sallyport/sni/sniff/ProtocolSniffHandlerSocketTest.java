package io.sallyport.sni.sniff;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sniff handler on real loopback sockets with AUTO_READ off, against real clients. */
class ProtocolSniffHandlerSocketTest {

    private EventLoopGroup group;
    private Channel server;
    private volatile CompletableFuture<Sniffed> next;

    record Sniffed(SniffResult result, byte[] firstBytes) {
    }

    /** Long enough that a test thread stalled on a loaded CI machine is not taken for a silent client. */
    private static final Duration SNIFF_TIMEOUT = Duration.ofSeconds(1);

    @BeforeEach
    void start() throws Exception {
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends ServerChannel> type = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        server = new ServerBootstrap().group(group).channel(type)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ProtocolSniffHandler(16 * 1024, SNIFF_TIMEOUT), new Capture(next));
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }

    @AfterEach
    void stop() throws Exception {
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void opensslClientIsTlsWithSniAndAlpn() throws Exception {
        next = new CompletableFuture<>();
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        Process client = new ProcessBuilder("timeout", "10", "openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", "sock.example.com", "-alpn", "h2,http/1.1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Sniffed sniffed = next.get(10, TimeUnit.SECONDS);
            assertThat(sniffed.result()).isEqualTo(
                    new SniffResult(SniffedProtocol.TLS, "sock.example.com", List.of("h2", "http/1.1"), null, false));
            assertThat(sniffed.firstBytes()[0]).isEqualTo((byte) 22);
        } finally {
            client.getOutputStream().close();
            if (!client.waitFor(10, TimeUnit.SECONDS)) {
                client.destroyForcibly();
            }
        }
    }

    @Test
    void httpRequestInTwoWritesIsHttp1() throws Exception {
        next = new CompletableFuture<>();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.1\r\nUser-".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            out.write("Agent: t\r\nHost: two.example.com\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Sniffed sniffed = next.get(10, TimeUnit.SECONDS);
            assertThat(sniffed.result().routingName()).isEqualTo("two.example.com");
            assertThat(new String(sniffed.firstBytes(), StandardCharsets.US_ASCII)).startsWith("GET / HTTP/1.1\r\nUser-");
        }
    }

    @Test
    void silentClientIsRawAfterTheTimeout() throws Exception {
        next = new CompletableFuture<>();
        // Before the connection exists, so before the server's sniff timer can start.
        long started = System.nanoTime();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort())) {
            Sniffed sniffed = next.get(10, TimeUnit.SECONDS);
            assertThat(sniffed.result()).isEqualTo(SniffResult.raw(true));
            assertThat(sniffed.firstBytes()).isEmpty();
            assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(SNIFF_TIMEOUT.toNanos() * 9 / 10);
        }
    }

    /** Completes the future with the result and the first bytes that follow it. */
    private static final class Capture extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Sniffed> future;
        private SniffResult result;

        Capture(CompletableFuture<Sniffed> future) {
            this.future = future;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SniffResult r) {
                result = r;
                if (r.protocol() == SniffedProtocol.RAW && r.timedOut()) {
                    future.complete(new Sniffed(r, new byte[0]));
                }
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                future.complete(new Sniffed(result, ByteBufUtil.getBytes(buf)));
            } finally {
                buf.release();
                ctx.close();
            }
        }
    }
}
