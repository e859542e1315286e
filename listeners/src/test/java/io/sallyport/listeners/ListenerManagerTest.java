package io.sallyport.listeners;

import static io.sallyport.testing.TestResources.dataplane;
import static io.sallyport.testing.TestResources.endpoint;
import static io.sallyport.testing.TestResources.hostnameGenerator;
import static io.sallyport.testing.TestResources.mes;
import static io.sallyport.testing.TestResources.mesWithVip;
import static io.sallyport.testing.TestResources.mesh;
import static io.sallyport.testing.TestResources.outbound;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.sallyport.core.accesslog.AccessLog;
import io.sallyport.core.accesslog.AccessLogFormat;
import io.sallyport.core.cluster.EndpointResolver;
import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.Resource;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.runtime.RuntimeOptions;
import io.sallyport.core.runtime.Snapshot;
import io.sallyport.core.runtime.SnapshotCompiler;
import io.sallyport.core.transport.Transport;
import io.sallyport.core.upstream.UpstreamConnector;
import io.sallyport.testing.EchoServer;
import io.sallyport.testing.FreeAddresses;
import io.sallyport.testing.StreamClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Outbound and VIP listeners bound from snapshots, reloads and drain, with real sockets on 127.0.0.0/8. */
class ListenerManagerTest {

    private static final Transport TRANSPORT = Transport.platform();
    private static final Duration DRAIN = Duration.ofSeconds(2);
    private static EventLoopGroup group;
    private static EndpointResolver resolver;
    private static EchoServer echoA;
    private static EchoServer echoB;

    private final Stats stats = new Stats();
    private final BlockingQueue<String> accessLines = new LinkedBlockingQueue<>();
    private AccessLog accessLog;
    private ListenerManager manager;
    private long generation;

    @BeforeAll
    static void startShared() {
        group = TRANSPORT.newEventLoopGroup(2, "listeners-test");
        resolver = EndpointResolver.system(TRANSPORT);
        echoA = EchoServer.tcp();
        echoB = EchoServer.tcp();
    }

    @AfterAll
    static void stopShared() {
        echoA.close();
        echoB.close();
        resolver.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @BeforeEach
    void startManager() {
        accessLog = AccessLog.to(AccessLogFormat.ENVOY, accessLines::add);
        manager = new ListenerManager(group, TRANSPORT, new UpstreamConnector(TRANSPORT, resolver), stats, accessLog,
                DRAIN, null);
    }

    @AfterEach
    void stopManager() {
        manager.close();
        accessLog.close();
    }

    private Snapshot compile(RuntimeOptions options, Resource... resources) {
        SnapshotCompiler.Result r = SnapshotCompiler.compile(new ConfigSet(List.of(resources)), options, ++generation);
        assertThat(r.errors()).isEmpty();
        return r.snapshot();
    }

    private Snapshot compile(Resource... resources) {
        return compile(RuntimeOptions.defaults(), resources);
    }

    private InetSocketAddress bound(String ip, int port) {
        String name = "outbound:" + ip + ":" + port;
        InetSocketAddress a = manager.listeners().get(name);
        assertThat(a).as("listener " + name + " in " + manager.listeners()).isNotNull();
        return a;
    }

    private static String echoOnce(InetSocketAddress proxy, String text) throws IOException {
        try (Socket s = StreamClient.connect(proxy, 10_000)) {
            s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Sends a line on an open connection and reads the echo back. */
    private static String roundTrip(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
        byte[] buf = new byte[text.length()];
        InputStream in = s.getInputStream();
        int off = 0;
        while (off < buf.length) {
            int n = in.read(buf, off, buf.length - off);
            if (n < 0) {
                break;
            }
            off += n;
        }
        return new String(buf, 0, off, StandardCharsets.UTF_8);
    }

    @Test
    void docsTcpExampleThroughAnOutboundPort() throws Exception {
        String ip = FreeAddresses.randomLoopback();
        manager.apply(compile(
                mes("mes-tcp", 4242, endpoint("127.0.0.1", echoA.port())),
                dataplane(outbound(ip, 0, "mes-tcp"))));

        assertThat(echoOnce(bound(ip, 0), "echo this\n")).isEqualTo("echo this\n");

        assertThat(accessLines.poll(10, TimeUnit.SECONDS)).contains("\"- - -\" 0 - 10 10 ")
                .endsWith("\"127.0.0.1:" + echoA.port() + "\"");
        assertThat(stats.counterValue("envoy_listener_downstream_cx_total", "envoy_listener_address", ip + "_0"))
                .isEqualTo(1);
        assertThat(stats.counterValue("envoy_cluster_upstream_cx_total", "envoy_cluster_name", "mes-tcp"))
                .isEqualTo(1);
    }

    @Test
    void docsTcpExampleThroughTheStatusVip() throws Exception {
        String vip = FreeAddresses.randomLoopback();
        manager.apply(compile(mesWithVip("mes-tcp", 4242, vip, endpoint("127.0.0.1", echoA.port()))));

        assertThat(echoOnce(bound(vip, 4242), "echo this\n")).isEqualTo("echo this\n");
    }

    @Test
    void generatedHostnameGetsAVipListener() throws Exception {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String cidr = "127." + r.nextInt(2, 255) + "." + r.nextInt(0, 256) + ".0/24";
        Snapshot s = compile(new RuntimeOptions(null, cidr, null, null, null),
                hostnameGenerator("hg", "{{ .DisplayName }}.svc.meshext.local"),
                mes("mes-tcp", 4242, endpoint("127.0.0.1", echoA.port())));
        InetAddress vip = s.hostnames().lookup("mes-tcp.svc.meshext.local");
        assertThat(vip).isNotNull();
        manager.apply(s);

        assertThat(echoOnce(bound(vip.getHostAddress(), 4242), "echo this\n")).isEqualTo("echo this\n");
    }

    @Test
    void vipThatIsNotLocalIsSkippedNotFatal() throws Exception {
        String ip = FreeAddresses.randomLoopback();
        manager.apply(compile(
                mesWithVip("mes-far", 4242, "242.1.2.3", endpoint("127.0.0.1", echoA.port())),
                dataplane(outbound(ip, 0, "mes-far"))));

        assertThat(manager.listeners()).containsOnlyKeys("outbound:" + ip + ":0");
        assertThat(echoOnce(bound(ip, 0), "still served")).isEqualTo("still served");
    }

    @Test
    void forbiddenByTheMeshClosesWithoutForwardingAByte() throws Exception {
        EchoServer echo = EchoServer.tcp();
        try {
            String ip = FreeAddresses.randomLoopback();
            manager.apply(compile(mesh(true),
                    mes("mes-tcp", 4242, endpoint("127.0.0.1", echo.port())),
                    dataplane(outbound(ip, 0, "mes-tcp"))));

            // Closed unforwarded: the client sees end of stream, or a reset since its bytes were never read.
            String got;
            try {
                got = echoOnce(bound(ip, 0), "secret");
            } catch (java.net.SocketException reset) {
                got = "";
            }
            assertThat(got).isEmpty();

            assertThat(accessLines.poll(10, TimeUnit.SECONDS)).contains("\"- - -\" 0 NR 0 0 ").endsWith("\"-\"");
            assertThat(echo.accepted()).isZero();
            assertThat(stats.counterValue("envoy_listener_downstream_cx_forbidden", "envoy_listener_address",
                    ip + "_0")).isEqualTo(1);
        } finally {
            echo.close();
        }
    }

    @Test
    void reloadAddsAServiceWhileALongConnectionStaysUp() throws Exception {
        String ipA = FreeAddresses.randomLoopback();
        String ipB = FreeAddresses.randomLoopback();
        manager.apply(compile(
                mes("mes-a", 4242, endpoint("127.0.0.1", echoA.port())),
                dataplane(outbound(ipA, 0, "mes-a"))));
        InetSocketAddress a = bound(ipA, 0);
        try (Socket longLived = StreamClient.connect(a, 10_000)) {
            assertThat(roundTrip(longLived, "before")).isEqualTo("before");

            manager.apply(compile(
                    mes("mes-a", 4242, endpoint("127.0.0.1", echoA.port())),
                    mes("mes-b", 4243, endpoint("127.0.0.1", echoB.port())),
                    dataplane(outbound(ipA, 0, "mes-a"), outbound(ipB, 0, "mes-b"))));

            assertThat(bound(ipA, 0)).as("kept, not rebound").isEqualTo(a);
            assertThat(echoOnce(bound(ipB, 0), "new service")).isEqualTo("new service");
            assertThat(roundTrip(longLived, "after")).isEqualTo("after");
        }
    }

    @Test
    void removedServiceKeepsItsLiveConnectionUntilItEnds() throws Exception {
        String ipA = FreeAddresses.randomLoopback();
        String ipB = FreeAddresses.randomLoopback();
        manager.apply(compile(
                mes("mes-a", 4242, endpoint("127.0.0.1", echoA.port())),
                mes("mes-b", 4243, endpoint("127.0.0.1", echoB.port())),
                dataplane(outbound(ipA, 0, "mes-a"), outbound(ipB, 0, "mes-b"))));
        InetSocketAddress b = bound(ipB, 0);
        try (Socket live = StreamClient.connect(b, 10_000)) {
            assertThat(roundTrip(live, "one")).isEqualTo("one");

            manager.apply(compile(
                    mes("mes-a", 4242, endpoint("127.0.0.1", echoA.port())),
                    dataplane(outbound(ipA, 0, "mes-a"))));

            assertThat(manager.listeners()).doesNotContainKey("outbound:" + ipB + ":0");
            assertThatThrownBy(() -> new Socket(b.getAddress(), b.getPort()).close())
                    .isInstanceOf(ConnectException.class);
            assertThat(roundTrip(live, "two")).isEqualTo("two");
            assertThat(manager.activeConnections()).isEqualTo(1);
        }
        assertThat(accessLines.poll(10, TimeUnit.SECONDS)).contains(" 6 6 ");
        assertThat(manager.activeConnections()).isZero();
    }

    @Test
    void removedServiceConnectionIsClosedAfterTheDrainTimeout() throws Exception {
        String ip = FreeAddresses.randomLoopback();
        manager.apply(compile(mes("mes-a", 4242, endpoint("127.0.0.1", echoA.port())),
                dataplane(outbound(ip, 0, "mes-a"))));
        try (Socket live = StreamClient.connect(bound(ip, 0), 10_000)) {
            assertThat(roundTrip(live, "hi")).isEqualTo("hi");
            long start = System.nanoTime();
            manager.apply(compile());
            assertThat(live.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(DRAIN.minusMillis(100));
        }
    }

    @Test
    void changedTargetOnTheSameAddressAppliesToNewConnectionsOnly() throws Exception {
        String ip = FreeAddresses.randomLoopback();
        manager.apply(compile(mes("mes-a", 4242, endpoint("127.0.0.1", echoA.port())),
                dataplane(outbound(ip, 0, "mes-a"))));
        InetSocketAddress address = bound(ip, 0);
        int acceptedByA = echoA.accepted();
        int acceptedByB = echoB.accepted();
        try (Socket old = StreamClient.connect(address, 10_000)) {
            assertThat(roundTrip(old, "a")).isEqualTo("a");
            manager.apply(compile(mes("mes-b", 4242, endpoint("127.0.0.1", echoB.port())),
                    dataplane(outbound(ip, 0, "mes-b"))));
            assertThat(bound(ip, 0)).isEqualTo(address);
            assertThat(echoOnce(address, "b")).isEqualTo("b");
            assertThat(roundTrip(old, "still a")).isEqualTo("still a");
        }
        assertThat(echoA.accepted() - acceptedByA).isEqualTo(1);
        assertThat(echoB.accepted() - acceptedByB).isEqualTo(1);
    }

    @Test
    void outboundThatCannotBeBoundFailsTheApplyAndChangesNothing() throws Exception {
        String ipA = FreeAddresses.randomLoopback();
        manager.apply(compile(mes("mes-a", 4242, endpoint("127.0.0.1", echoA.port())),
                dataplane(outbound(ipA, 0, "mes-a"))));
        Map<String, InetSocketAddress> before = manager.listeners();
        String ipBusy = FreeAddresses.randomLoopback();
        String ipNew = FreeAddresses.randomLoopback();
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName(ipBusy))) {
            Snapshot next = compile(mes("mes-a", 4242, endpoint("127.0.0.1", echoA.port())),
                    dataplane(outbound(ipNew, 0, "mes-a"), outbound(ipBusy, busy.getLocalPort(), "mes-a")));
            assertThatThrownBy(() -> manager.apply(next)).isInstanceOf(BindException.class)
                    .hasMessageContaining("outbound:" + ipBusy + ":" + busy.getLocalPort());
        }
        assertThat(manager.listeners()).isEqualTo(before);
        assertThat(echoOnce(before.values().iterator().next(), "unchanged")).isEqualTo("unchanged");
    }

    @Test
    void drainStopsAcceptingAndCompletesWhenConnectionsEnd() throws Exception {
        String ip = FreeAddresses.randomLoopback();
        manager.apply(compile(mes("mes-a", 4242, endpoint("127.0.0.1", echoA.port())),
                dataplane(outbound(ip, 0, "mes-a"))));
        InetSocketAddress address = bound(ip, 0);
        CompletableFuture<Void> drained;
        try (Socket live = StreamClient.connect(address, 10_000)) {
            assertThat(roundTrip(live, "x")).isEqualTo("x");
            drained = manager.drain(Duration.ofSeconds(30));
            assertThatThrownBy(() -> new Socket(address.getAddress(), address.getPort()).close())
                    .isInstanceOf(ConnectException.class);
            assertThat(drained).isNotDone();
            assertThat(roundTrip(live, "y")).isEqualTo("y");
        }
        drained.get(10, TimeUnit.SECONDS);
        assertThat(manager.activeConnections()).isZero();
    }
}
