package io.sallyport.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.sallyport.core.accesslog.AccessLog;
import io.sallyport.core.accesslog.AccessLogFormat;
import io.sallyport.core.cluster.Cluster;
import io.sallyport.core.cluster.ClusterSpec;
import io.sallyport.core.cluster.Endpoint;
import io.sallyport.core.cluster.EndpointResolver;
import io.sallyport.core.cluster.PriorityLevel;
import io.sallyport.core.cluster.UpstreamChannelInitializer;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.transport.Transport;
import io.sallyport.core.upstream.UpstreamConnector;
import io.sallyport.testing.Await;
import io.sallyport.testing.EchoServer;
import io.sallyport.testing.FreeAddresses;
import io.sallyport.testing.HoldingServer;
import io.sallyport.testing.StreamClient;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TCP proxy end to end on loopback: a test listener with {@link TcpProxyHandler} in front of echo
 * servers, on the platform transport (epoll on Linux); {@link TcpProxyNioTest} runs the same on NIO.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TcpProxyTest {

    private EventLoopGroup group;
    private EndpointResolver resolver;
    private UpstreamConnector connector;

    // Fresh per test (the class has one instance, see @TestInstance).
    private Stats stats;
    private BlockingQueue<String> accessLines;
    private AccessLog accessLog;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    /** The transport under test. */
    Transport transport() {
        return Transport.platform();
    }

    /** Whether connections between plain TCP sockets are spliced here. */
    boolean splices() {
        return transport().isEpoll();
    }

    @BeforeAll
    void startLoops() {
        group = transport().newEventLoopGroup(2, "proxy-test");
        resolver = EndpointResolver.system(transport());
        connector = new UpstreamConnector(transport(), resolver);
    }

    @AfterAll
    void stopLoops() {
        resolver.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @BeforeEach
    void freshState() {
        stats = new Stats();
        accessLines = new LinkedBlockingQueue<>();
        accessLog = AccessLog.to(AccessLogFormat.ENVOY, accessLines::add);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        closeables.clear();
        accessLog.close();
    }

    private <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    private static ClusterSpec cluster(String name, PriorityLevel... levels) {
        return new ClusterSpec(name, "default", List.of(levels), Duration.ofSeconds(2), Duration.ZERO, 5, null);
    }

    private static PriorityLevel level(int priority, Endpoint... endpoints) {
        return new PriorityLevel(priority, List.of(endpoints));
    }

    private static Endpoint ip(int port) throws Exception {
        return new Endpoint.Ip(InetAddress.getByName("127.0.0.1"), port);
    }

    /** Starts a listener on 127.0.0.1:0 proxying to {@code spec}; returns its address. */
    private InetSocketAddress proxy(ClusterSpec spec) {
        return proxy(spec, null);
    }

    private InetSocketAddress proxy(ClusterSpec spec, UpstreamChannelInitializer init) {
        Cluster cluster = Cluster.create(spec, stats, init);
        TcpProxyTarget target = new TcpProxyTarget("outbound:test", ListenerStats.of(stats, "test"), cluster, false);
        Channel server = new ServerBootstrap().group(group).channel(transport().serverSocketChannel())
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new TcpProxyHandler(target, connector, accessLog, null));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
        closeables.add(() -> server.close().syncUninterruptibly());
        return (InetSocketAddress) server.localAddress();
    }

    private static String echoOnce(InetSocketAddress proxy, String text) throws Exception {
        try (Socket s = StreamClient.connect(proxy, 10_000)) {
            s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private String nextAccessLine() throws InterruptedException {
        String line = accessLines.poll(10, TimeUnit.SECONDS);
        assertThat(line).as("access log line").isNotNull();
        return line;
    }

    @Test
    void halfCloseDeliversTheEchoAfterTheClientShutsItsOutput() throws Exception {
        EchoServer echo = track(EchoServer.tcp());
        InetSocketAddress proxy = proxy(cluster("mes-tcp", level(0, ip(echo.port()))));

        assertThat(echoOnce(proxy, "echo this\n")).isEqualTo("echo this\n");

        String line = nextAccessLine();
        assertThat(line).matches("\\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z] \"- - -\" 0 - 10 10 \\d+ - "
                + "\"-\" \"-\" \"-\" \"-\" \"127\\.0\\.0\\.1:" + echo.port() + "\"");
        String tag = "envoy_cluster_name";
        assertThat(stats.counterValue("envoy_cluster_upstream_cx_total", tag, "mes-tcp")).isEqualTo(1);
        assertThat(stats.counterValue("envoy_cluster_upstream_cx_tx_bytes_total", tag, "mes-tcp")).isEqualTo(10);
        assertThat(stats.counterValue("envoy_cluster_upstream_cx_rx_bytes_total", tag, "mes-tcp")).isEqualTo(10);
        assertThat(stats.counterValue("envoy_listener_downstream_cx_total", "envoy_listener_address", "test"))
                .isEqualTo(1);
        assertThat(stats.gaugeValue("envoy_listener_downstream_cx_active", "envoy_listener_address", "test"))
                .isZero();
        assertThat(stats.gaugeValue("envoy_cluster_upstream_cx_active", tag, "mes-tcp")).isZero();
    }

    @Test
    void streams64MiBBothWaysIntact() throws Exception {
        EchoServer echo = track(EchoServer.tcp());
        InetSocketAddress proxy = proxy(cluster("mes-big", level(0, ip(echo.port()))));
        long size = 64L * 1024 * 1024;
        try (Socket s = StreamClient.connect(proxy, 30_000)) {
            CompletableFuture<Void> writing = StreamClient.writeAsync(s, size, 42, new AtomicLong());
            long[] got = StreamClient.readAll(s.getInputStream());
            writing.get(30, TimeUnit.SECONDS);
            assertThat(got[0]).isEqualTo(size);
            assertThat(got[1]).isEqualTo(StreamClient.checksumOf(size, 42));
        }
        assertThat(nextAccessLine()).contains(" 0 - " + size + " " + size + " ");
    }

    /**
     * The client half-closes before the upstream answers, so the proxy's side of the client connection has
     * its input shut down and nothing to write; then the answer fills that connection's socket buffer. On
     * epoll this once made Netty shut the output down and drop the queued bytes (see EpollInterestPin).
     */
    @Test
    void clientThatHalfClosedFirstGetsAnAnswerBiggerThanItsSocketBuffers() throws Exception {
        HoldingServer holding = track(new HoldingServer());
        InetSocketAddress proxy = proxy(cluster("mes-answer", level(0, ip(holding.port()))));
        // More than every buffer on the way can hold (socket buffers reach 32 MiB here), so the writer stalls.
        long size = 64L * 1024 * 1024;
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(proxy, 5000);
            s.setSoTimeout(30_000);
            s.getOutputStream().write('?');
            s.shutdownOutput();
            Socket upstream = holding.accepted().get(10, TimeUnit.SECONDS);
            upstream.setSoTimeout(10_000);
            // The upstream reads the end of the request only once the proxy has handled the client's half-close.
            assertThat(upstream.getInputStream().readAllBytes()).containsExactly('?');

            AtomicLong written = new AtomicLong();
            CompletableFuture<Void> writing = StreamClient.writeAsync(upstream, size, 11, written);
            // The client reads nothing until the writer stalls: the proxy's socket to the client is full by then.
            assertThat(Await.until(() -> written.get() > 0, Duration.ofSeconds(20))).isTrue();
            assertThat(Await.stalled(written::get, Duration.ofMillis(500), Duration.ofSeconds(20)))
                    .as("upstream writer stalled").isTrue();
            assertThat(writing).as("upstream writer stalled on a client that does not read").isNotDone();

            long[] got = StreamClient.readAll(s.getInputStream());
            writing.get(30, TimeUnit.SECONDS);
            assertThat(got[0]).isEqualTo(size);
            assertThat(got[1]).isEqualTo(StreamClient.checksumOf(size, 11));
        }
        assertThat(nextAccessLine()).contains(" 0 - 1 " + size + " ");
    }

    @Test
    void slowReaderStopsTheProxyReadingFromTheWriter() throws Exception {
        HoldingServer holding = track(new HoldingServer());
        InetSocketAddress proxy = proxy(cluster("mes-slow", level(0, ip(holding.port()))));
        long size = 64L * 1024 * 1024;
        try (Socket s = StreamClient.connect(proxy, 30_000)) {
            AtomicLong written = new AtomicLong();
            CompletableFuture<Void> writing = StreamClient.writeAsync(s, size, 7, written);
            Socket upstream = holding.accepted().get(10, TimeUnit.SECONDS);

            // Wait until the proxy stops reading from the client (its count of bytes read stays put).
            String tag = "envoy_cluster_name";
            assertThat(Await.stalled(() -> stats.counterValue("envoy_cluster_upstream_cx_tx_bytes_total", tag, "mes-slow"),
                    Duration.ofMillis(500), Duration.ofSeconds(20))).as("proxy stalled").isTrue();
            long now = stats.counterValue("envoy_cluster_upstream_cx_tx_bytes_total", tag, "mes-slow");
            assertThat(writing).isNotDone();
            // The proxy holds at most its write buffer watermark and one read beyond what the kernel's
            // socket buffer to the upstream (4 MiB at most here) takes.
            assertThat(now).as("bytes the proxy read from the client").isLessThan(6L * 1024 * 1024);

            // The reader wakes up: everything arrives, intact.
            long[] got = StreamClient.readAll(upstream.getInputStream());
            writing.get(30, TimeUnit.SECONDS);
            assertThat(written.get()).isEqualTo(size);
            assertThat(got[0]).isEqualTo(size);
            assertThat(got[1]).isEqualTo(StreamClient.checksumOf(size, 7));
        }
    }

    @Test
    void failsOverFromADeadPriorityZeroEndpointToPriorityOne() throws Exception {
        EchoServer echo = track(EchoServer.tcp());
        int dead = FreeAddresses.refusingPort();
        InetSocketAddress proxy = proxy(cluster("mes-failover", level(1, ip(echo.port())), level(0, ip(dead))));

        assertThat(echoOnce(proxy, "hello")).isEqualTo("hello");

        assertThat(nextAccessLine()).endsWith("\"127.0.0.1:" + echo.port() + "\"");
        String tag = "envoy_cluster_name";
        assertThat(stats.counterValue("envoy_cluster_upstream_cx_total", tag, "mes-failover")).isEqualTo(2);
        assertThat(stats.counterValue("envoy_cluster_upstream_cx_connect_fail", tag, "mes-failover")).isEqualTo(1);
    }

    @Test
    void roundRobinSpreadsConnectionsOverALevel() throws Exception {
        EchoServer a = track(EchoServer.tcp());
        EchoServer b = track(EchoServer.tcp());
        EchoServer backup = track(EchoServer.tcp());
        InetSocketAddress proxy = proxy(cluster("mes-rr",
                level(0, ip(a.port()), ip(b.port())), level(1, ip(backup.port()))));

        for (int i = 0; i < 10; i++) {
            assertThat(echoOnce(proxy, "x" + i)).isEqualTo("x" + i);
        }
        assertThat(a.accepted()).isEqualTo(5);
        assertThat(b.accepted()).isEqualTo(5);
        assertThat(backup.accepted()).isZero();
    }

    @Test
    void relaysToAnIpv6Endpoint() throws Exception {
        EchoServer echo = track(EchoServer.tcp("::1"));
        InetSocketAddress proxy = proxy(cluster("mes-v6", level(0, Endpoint.parse("::1", echo.port()))));

        assertThat(echoOnce(proxy, "six")).isEqualTo("six");
        assertThat(nextAccessLine()).endsWith("\"[::1]:" + echo.port() + "\"");
    }

    @Test
    void resolvesADnsNameEndpoint() throws Exception {
        EchoServer echo = track(EchoServer.tcp());
        InetSocketAddress proxy = proxy(cluster("mes-dns", level(0, new Endpoint.DnsName("localhost", echo.port()))));

        assertThat(echoOnce(proxy, "by name")).isEqualTo("by name");
        assertThat(nextAccessLine()).endsWith("\"127.0.0.1:" + echo.port() + "\"");
    }

    @Test
    void relaysToAUnixSocketEndpoint(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("echo.sock");
        track(EchoServer.unix(socket));
        InetSocketAddress proxy = proxy(cluster("mes-unix", level(0, new Endpoint.UnixPath(socket.toString()))));

        assertThat(echoOnce(proxy, "over unix\n")).isEqualTo("over unix\n");
        assertThat(nextAccessLine()).endsWith("\"" + socket + "\"");
    }

    @Test
    void connectFailureClosesWithoutForwardingAndLogsUf() throws Exception {
        int dead = FreeAddresses.refusingPort();
        InetSocketAddress proxy = proxy(cluster("mes-down", level(0, ip(dead))));
        try (Socket s = StreamClient.connect(proxy, 10_000)) {
            s.getOutputStream().write("lost".getBytes(StandardCharsets.UTF_8));
            InputStream in = s.getInputStream();
            assertThat(in.read()).isEqualTo(-1);
        } catch (java.net.SocketException reset) {
            // a reset is an acceptable way for the client to learn the connection is gone
        }
        assertThat(nextAccessLine()).contains("\"- - -\" 0 UF 0 0 ").endsWith("\"-\"");
        String tag = "envoy_cluster_name";
        assertThat(stats.counterValue("envoy_cluster_upstream_cx_connect_fail", tag, "mes-down")).isEqualTo(1);
        assertThat(stats.counterValue("envoy_cluster_upstream_cx_tx_bytes_total", tag, "mes-down")).isZero();
    }

    @Test
    void upstreamResetClosesTheClientAndReleasesEverything() throws Exception {
        try (java.net.ServerSocket resetting = new java.net.ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            InetSocketAddress proxy = proxy(cluster("mes-reset", level(0, ip(resetting.getLocalPort()))));
            try (Socket s = StreamClient.connect(proxy, 10_000)) {
                // More than the kernel can buffer between client and proxy (tcp_rmem's maximum reaches 32 MiB
                // here): the write can only end by failing once the proxy has closed the client.
                CompletableFuture<Void> writing = StreamClient.writeAsync(s, 256L * 1024 * 1024, 3, new AtomicLong());
                try (Socket up = resetting.accept()) {
                    up.getInputStream().readNBytes(64 * 1024);
                    up.setSoLinger(true, 0); // close with RST
                }
                try {
                    assertThat(s.getInputStream().read()).isEqualTo(-1);
                } catch (java.net.SocketException reset) {
                    // either way the client learns the connection is gone
                }
                assertThat(writing).failsWithin(10, TimeUnit.SECONDS);
            }
        }
        assertThat(nextAccessLine()).contains("\"- - -\" 0 - ");
        assertThat(stats.gaugeValue("envoy_cluster_upstream_cx_active", "envoy_cluster_name", "mes-reset")).isZero();
    }

    @Test
    void clientLeavingWhileConnectingCancelsTheUpstreamAndLogsDc() throws Exception {
        EchoServer echo = track(EchoServer.tcp());
        CompletableFuture<Void> initializing = new CompletableFuture<>();
        // An upstream "handshake" that never finishes keeps the connection in the connecting state.
        UpstreamChannelInitializer stuck = (ch, target) -> {
            initializing.complete(null);
            return ch.eventLoop().newPromise();
        };
        InetSocketAddress proxy = proxy(cluster("mes-stuck", level(0, ip(echo.port()))), stuck);
        try (Socket s = StreamClient.connect(proxy, 10_000)) {
            initializing.get(10, TimeUnit.SECONDS);
            // A plain close would only be a FIN, which is a half-close the proxy must keep: reset instead.
            s.setSoLinger(true, 0);
        }
        // Epoll sees the reset at once (EPOLLRDHUP/EPOLLERR without read interest); NIO only notices a peer
        // that is not being read from when the connect attempt ends, here at the 2 s connect timeout.
        assertThat(nextAccessLine()).containsPattern(transport().isEpoll() ? "\"- - -\" 0 DC 0 0 " : "\"- - -\" 0 (DC|UF) 0 0 ")
                .endsWith("\"-\"");
        // The upstream connection that was being set up is closed with the cancel, not at the timeout.
        Await.until(() -> stats.gaugeValue("envoy_cluster_upstream_cx_active", "envoy_cluster_name", "mes-stuck") == 0,
                Duration.ofSeconds(1));
        assertThat(stats.gaugeValue("envoy_cluster_upstream_cx_active", "envoy_cluster_name", "mes-stuck")).isZero();
    }

    @Test
    void theConnectTimeoutCoversTheUpstreamHandshake() throws Exception {
        EchoServer echo = track(EchoServer.tcp());
        UpstreamChannelInitializer stuck = (ch, target) -> ch.eventLoop().newPromise();
        ClusterSpec spec = new ClusterSpec("mes-slow-tls", "default", List.of(level(0, ip(echo.port()))),
                Duration.ofMillis(300), Duration.ZERO, 1, null);
        InetSocketAddress proxy = proxy(spec, stuck);
        long start = System.nanoTime();
        try (Socket s = StreamClient.connect(proxy, 10_000)) {
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        assertThat(nextAccessLine()).contains("\"- - -\" 0 UF 0 0 ");
        String tag = "envoy_cluster_name";
        assertThat(stats.counterValue("envoy_cluster_upstream_cx_connect_timeout", tag, "mes-slow-tls")).isEqualTo(1);
        assertThat(stats.counterValue("envoy_cluster_upstream_cx_connect_fail", tag, "mes-slow-tls")).isEqualTo(1);
        assertThat(stats.gaugeValue("envoy_cluster_upstream_cx_active", tag, "mes-slow-tls")).isZero();
    }

    @Test
    void idleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
        EchoServer echo = track(EchoServer.tcp());
        // 1 s: the round trip below must not be mistaken for idleness when a test thread stalls on a loaded machine.
        Duration idle = Duration.ofSeconds(1);
        ClusterSpec spec = new ClusterSpec("mes-idle", "default", List.of(level(0, ip(echo.port()))),
                Duration.ofSeconds(2), idle, 5, null);
        InetSocketAddress proxy = proxy(spec);
        try (Socket s = StreamClient.connect(proxy, 10_000)) {
            // Before the last activity (the proxy writing the echo back), so the close comes an idle timeout later.
            long start = System.nanoTime();
            s.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
            assertThat(s.getInputStream().readNBytes(4)).isEqualTo("ping".getBytes(StandardCharsets.UTF_8));
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(idle.minusMillis(50));
        }
    }

    /** Pipes this process holds open (splice uses one per direction of a connection). */
    private static long openPipes() throws Exception {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("pipe:");
                } catch (Exception gone) {
                    return false;
                }
            }).count();
        }
    }

    @Test
    void splicesPlainSocketsWithAPipePerDirectionAndClosesThem() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc");
        EchoServer echo = track(EchoServer.tcp());
        InetSocketAddress proxy = proxy(cluster("mes-pipes", level(0, ip(echo.port()))));
        long before = openPipes();
        try (Socket s = StreamClient.connect(proxy, 10_000)) {
            s.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
            assertThat(s.getInputStream().readNBytes(4)).isEqualTo("ping".getBytes(StandardCharsets.UTF_8));
            // Both directions moved bytes: with splice each made its pipe (two descriptors each).
            assertThat(openPipes() - before).isEqualTo(splices() ? 4 : 0);
        }
        assertThat(nextAccessLine()).contains(" 0 - 4 4 ");
        assertThat(Await.until(() -> {
            try {
                return openPipes() == before;
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(10))).as("pipes closed with the connection").isTrue();
    }

    /** Bytes flowing one way only (client to service) keep the connection alive past the idle timeout. */
    @Test
    void aOneWayStreamIsNotIdle() throws Exception {
        HoldingServer holding = track(new HoldingServer());
        // A stall of the writing or the draining test thread as long as the timeout would be idle for real: 1 s
        // leaves a loaded two-core CI machine a wide margin, and the stream still lasts three timeouts.
        Duration idle = Duration.ofSeconds(1);
        ClusterSpec spec = new ClusterSpec("mes-oneway", "default", List.of(level(0, ip(holding.port()))),
                Duration.ofSeconds(2), idle, 5, null);
        InetSocketAddress proxy = proxy(spec);
        try (Socket s = StreamClient.connect(proxy, 10_000)) {
            Socket upstream = holding.accepted().get(10, TimeUnit.SECONDS);
            upstream.setSoTimeout(10_000);
            AtomicLong drained = new AtomicLong();
            // Its own thread: a task of the shared pool could wait behind another test's.
            CompletableFuture<Void> draining = new CompletableFuture<>();
            Thread drainer = new Thread(() -> {
                byte[] buf = new byte[64 * 1024];
                try (InputStream in = upstream.getInputStream()) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        drained.addAndGet(n);
                    }
                    draining.complete(null);
                } catch (java.io.IOException e) {
                    draining.completeExceptionally(e);
                }
            }, "one-way-drainer");
            drainer.setDaemon(true);
            drainer.start();
            byte[] chunk = new byte[1024];
            long sent = 0;
            long end = System.nanoTime() + idle.multipliedBy(3).toNanos();
            while (System.nanoTime() < end) {
                s.getOutputStream().write(chunk);
                sent += chunk.length;
            }
            long total = sent;
            assertThat(Await.until(() -> drained.get() == total, Duration.ofSeconds(10)))
                    .as("everything arrived over a connection busy for 3 idle timeouts").isTrue();
            // Then nothing moves: the idle timeout closes both sides.
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            draining.get(10, TimeUnit.SECONDS);
        }
    }

    /** CPU time of the proxy's event loop threads, in nanoseconds. */
    private static long loopCpuNanos() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long total = 0;
        for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith("proxy-test")) {
                total += Math.max(0, threads.getThreadCpuTime(t.getThreadId()));
            }
        }
        return total;
    }

    /**
     * The service answers a client that half-closed and then closes while the client does not read yet:
     * the proxy's socket to the service is then shut both ways with bytes left to pass on. The proxy must
     * neither lose them nor busy-loop (epoll reports a hang-up on such a socket until it is closed).
     */
    @Test
    void aServiceThatClosesWhileTheClientIsNotReadingCostsNoCpu() throws Exception {
        HoldingServer holding = track(new HoldingServer());
        InetSocketAddress proxy = proxy(cluster("mes-hup", level(0, ip(holding.port()))));
        long size = 8L * 1024 * 1024;
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(proxy, 5000);
            s.setSoTimeout(30_000);
            s.getOutputStream().write('?');
            s.shutdownOutput();
            Socket upstream = holding.accepted().get(10, TimeUnit.SECONDS);
            upstream.setSoTimeout(10_000);
            assertThat(upstream.getInputStream().readAllBytes()).containsExactly('?');
            upstream.setSendBufferSize(4 * 1024 * 1024);
            StreamClient.write(upstream.getOutputStream(), size, 5, new AtomicLong());
            upstream.close();

            assertThat(loopCpuNanos()).as("the proxy's event loop threads are measured").isPositive();
            // Give the FIN time to arrive while the client reads nothing, then measure a quiet second.
            // In 50 ms units: a timer's wake-up does not count, a spinning loop (300 ms a quiet period) does.
            assertThat(Await.stalled(() -> loopCpuNanos() / 50_000_000, Duration.ofMillis(300), Duration.ofSeconds(5)))
                    .as("event loops idle while the client does not read").isTrue();

            long[] got = StreamClient.readAll(s.getInputStream());
            assertThat(got[0]).isEqualTo(size);
            assertThat(got[1]).isEqualTo(StreamClient.checksumOf(size, 5));
        }
        assertThat(nextAccessLine()).contains(" 0 - 1 " + size + " ");
    }
}
