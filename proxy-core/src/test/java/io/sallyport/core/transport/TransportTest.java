package io.sallyport.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.sallyport.testing.FreeAddresses;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TransportTest {

    @BeforeAll
    static void sayWhichTransportTheseTestsRunOn() {
        // Tests use Transport.platform(): a build log should show when a machine falls back to NIO, and why.
        System.out.println("platform transport: " + Transport.platform()
                + (Epoll.isAvailable() ? "" : " (epoll unavailable: " + Epoll.unavailabilityCause() + ")"));
    }

    @Test
    void defaultConcurrencyIsOneEventLoopPerAvailableCpu() {
        assertThat(Transport.defaultConcurrency()).isEqualTo(Runtime.getRuntime().availableProcessors());
        for (Transport t : List.of(Transport.platform(), Transport.nio())) {
            assertThat(loops(t, 0)).isEqualTo(Transport.defaultConcurrency());
        }
    }

    @Test
    void anExplicitThreadCountIsKept() {
        assertThat(loops(Transport.platform(), 3)).isEqualTo(3);
        assertThat(loops(Transport.nio(), 1)).isEqualTo(1);
    }

    @Test
    void negativeThreadCountsAreRefused() {
        assertThatThrownBy(() -> Transport.nio().newEventLoopGroup(-1, "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    /**
     * A listener closed on a reload must refuse the next connection at once. Repeated: NIO's socket outlived
     * its channel's close by one pass of the event loop, which a connect hit a few times in a hundred.
     */
    @Test
    void aClosedListenerRefusesConnectionsAndItsAddressCanBeBoundAgain() throws Exception {
        for (Transport t : List.of(Transport.platform(), Transport.nio())) {
            EventLoopGroup group = t.newEventLoopGroup(1, "transport-test");
            try {
                InetSocketAddress address = new InetSocketAddress(FreeAddresses.randomLoopback(), 0);
                for (int i = 0; i < 200; i++) {
                    Channel listening = new ServerBootstrap().group(group).channelFactory(t.serverSocketChannelFactory())
                            .childHandler(new ChannelInboundHandlerAdapter())
                            .bind(address).sync().channel();
                    address = (InetSocketAddress) listening.localAddress();
                    new Socket(address.getAddress(), address.getPort()).close();

                    assertThat(Transport.closeListening(listening)).as(t + " #" + i).isTrue();

                    InetSocketAddress closed = address;
                    assertThatThrownBy(() -> new Socket(closed.getAddress(), closed.getPort()).close())
                            .as(t + " #" + i).isInstanceOf(ConnectException.class);
                }
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void theSpinPropertyIsMicrosecondsFromZeroToOneThousand() {
        assertThat(Transport.spinMicros(null)).isZero();
        assertThat(Transport.spinMicros(" ")).isZero();
        assertThat(Transport.spinMicros("0")).isZero();
        assertThat(Transport.spinMicros(" 20 ")).isEqualTo(20);
        assertThat(Transport.spinMicros("1000")).isEqualTo(1000);
        for (String bad : List.of("-1", "1001", "20us", "2.5")) {
            assertThatThrownBy(() -> Transport.spinMicros(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Transport.SPIN_PROPERTY).hasMessageContaining("'" + bad + "'");
        }
    }

    /**
     * Loops that poll before blocking still relay bytes both ways, run tasks handed to them from other threads
     * and their timers, and shut down.
     */
    @Test
    void pollingLoopsServeConnectionsRunTasksAndTimersAndShutDown() throws Exception {
        for (Transport t : List.of(Transport.platform(), Transport.nio())) {
            EventLoopGroup group = t.newEventLoopGroup(1, new DefaultThreadFactory("transport-spin-test"), 50);
            try {
                Channel listening = new ServerBootstrap().group(group).channelFactory(t.serverSocketChannelFactory())
                        .childHandler(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ctx.writeAndFlush(msg);
                            }
                        })
                        .bind(new InetSocketAddress(FreeAddresses.randomLoopback(), 0)).sync().channel();
                InetSocketAddress address = (InetSocketAddress) listening.localAddress();
                try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                    socket.setSoTimeout(5_000);
                    for (int i = 0; i < 50; i++) {
                        byte[] sent = ("ping " + i).getBytes(StandardCharsets.US_ASCII);
                        socket.getOutputStream().write(sent);
                        assertThat(socket.getInputStream().readNBytes(sent.length)).as(t + " #" + i).isEqualTo(sent);
                    }
                }
                // One task at a time: each is handed over while the loop has gone back to polling or blocking.
                for (int i = 0; i < 20; i++) {
                    assertThat(group.submit(() -> "ran").get(5, TimeUnit.SECONDS)).isEqualTo("ran");
                }
                assertThat(group.schedule(() -> "fired", 2, TimeUnit.MILLISECONDS).get(5, TimeUnit.SECONDS))
                        .isEqualTo("fired");
                assertThat(Transport.closeListening(listening)).isTrue();
            } finally {
                assertThat(group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS))
                        .as(t.toString()).isTrue();
            }
        }
    }

    private static int loops(Transport transport, int threads) {
        EventLoopGroup group = transport.newEventLoopGroup(threads, "transport-test");
        try {
            List<EventExecutor> executors = new ArrayList<>();
            group.iterator().forEachRemaining(executors::add);
            return executors.size();
        } finally {
            assertThat(group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS))
                    .isTrue();
        }
    }
}
