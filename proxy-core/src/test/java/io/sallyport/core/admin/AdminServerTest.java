package io.sallyport.core.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpMethod;
import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.Dataplane;
import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.config.Origin;
import io.sallyport.core.config.Protocol;
import io.sallyport.core.config.ResourceMeta;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.runtime.ProxyType;
import io.sallyport.core.runtime.Snapshot;
import io.sallyport.core.runtime.SnapshotHolder;
import io.sallyport.core.transport.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AdminServerTest {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Stats stats = new Stats();
    private final AtomicReference<ServerState> state = new AtomicReference<>(ServerState.PRE_INITIALIZING);
    private final CountDownLatch quit = new CountDownLatch(1);
    private final CountDownLatch drained = new CountDownLatch(1);
    private PrometheusMetrics metrics;
    private AdminServer server;
    private AdminRoutes routes;

    @BeforeEach
    void start() throws IOException {
        ConfigSet config = new ConfigSet(List.of(
                new Dataplane(meta("Dataplane", "app"), "127.0.0.1",
                        List.of(new Dataplane.Outbound("127.0.0.1", 10080,
                                new Dataplane.BackendRef("MeshExternalService", "httpbin", null))),
                        9901, null, List.of()),
                new MeshExternalService(meta("MeshExternalService", "httpbin"),
                        new MeshExternalService.Match(null, 80, Protocol.TCP),
                        List.of(new MeshExternalService.Endpoint("127.0.0.1", 8080, 0)), null, null)));
        SnapshotHolder holder = new SnapshotHolder(new Snapshot(1, Instant.now(), config));
        metrics = new PrometheusMetrics(stats);
        AdminApi.Control control = new AdminApi.Control() {
            @Override
            public ServerState state() {
                return state.get();
            }

            @Override
            public void drainListeners() {
                drained.countDown();
            }

            @Override
            public void quit() {
                quit.countDown();
            }
        };
        routes = AdminApi.install(new AdminRoutes(), control, holder, metrics,
                new ConfigDump(ProxyType.DATAPLANE, List.of("config"), List::of), ProxyType.DATAPLANE);
        server = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), routes);
    }

    @AfterEach
    void stop() {
        server.close();
        metrics.close();
    }

    private static ResourceMeta meta(String kind, String name) {
        return new ResourceMeta(kind, name, null, null, Map.of(), Origin.synthetic("test.yaml"));
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.localAddress().getPort() + path);
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return client.send(req, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readyFollowsTheServerState() throws Exception {
        assertThat(send("GET", "/ready").statusCode()).isEqualTo(503);
        assertThat(send("GET", "/ready").body()).isEqualTo("PRE_INITIALIZING\n");
        state.set(ServerState.LIVE);
        HttpResponse<String> live = send("GET", "/ready");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).isEqualTo("LIVE\n");
        state.set(ServerState.DRAINING);
        assertThat(send("GET", "/ready").statusCode()).isEqualTo(503);
        assertThat(send("GET", "/ready").body()).isEqualTo("DRAINING\n");
    }

    @Test
    void adminConnectionsUseUnpooledBuffersNotTheDataPathPool() throws Exception {
        assertThat(server.allocator()).isInstanceOf(io.netty.buffer.UnpooledByteBufAllocator.class);
        assertThat(send("GET", "/ready").body()).isEqualTo("PRE_INITIALIZING\n");
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405WithAllow() throws Exception {
        assertThat(send("GET", "/nope").statusCode()).isEqualTo(404);
        HttpResponse<String> wrong = send("GET", "/quitquitquit");
        assertThat(wrong.statusCode()).isEqualTo(405);
        assertThat(wrong.headers().firstValue("allow")).hasValue("POST");
        assertThat(send("POST", "/ready").statusCode()).isEqualTo(405);
        assertThat(quit.getCount()).isEqualTo(1);
    }

    @Test
    void prometheusHasProxyStatsAndJvmMeters() throws Exception {
        stats.counter("sallyport_config_reload_total", "result", "success").add(3);
        HttpResponse<String> res = send("GET", "/stats/prometheus");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type")).hasValue(AdminResponse.PROMETHEUS);
        assertThat(res.body())
                .contains("# TYPE sallyport_config_reload_total counter\n")
                .contains("sallyport_config_reload_total{result=\"success\"} 3\n")
                .contains("jvm_memory_used_bytes")
                .contains("jvm_threads_live_threads")
                .contains("process_cpu_usage")
                .contains("process_uptime_seconds");
    }

    @Test
    void configDumpIsJson() throws Exception {
        HttpResponse<String> res = send("GET", "/config_dump");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(res.body()).contains("\"generation\" : 1").contains("\"name\" : \"httpbin\"");
    }

    @Test
    void listenersAndClustersComeFromTheConfigUntilReplaced() throws Exception {
        assertThat(send("GET", "/listeners").body()).isEqualTo("outbound:127.0.0.1:10080::127.0.0.1:10080\n");
        assertThat(send("GET", "/clusters").body()).isEqualTo("httpbin::127.0.0.1:8080::priority::0\n");
        assertThat(send("GET", "/clusters?format=json").body()).contains("\"protocol\" : \"tcp\"");
        routes.register(HttpMethod.GET, "/listeners", req -> AdminResponse.ok("bound\n"));
        assertThat(send("GET", "/listeners").body()).isEqualTo("bound\n");
    }

    @Test
    void quitAndDrainAreForwardedToTheProcess() throws Exception {
        HttpResponse<String> res = send("POST", "/quitquitquit");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(quit.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(send("POST", "/drain_listeners").statusCode()).isEqualTo(200);
        assertThat(drained.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aFailingHandlerAnswers500AndTheServerKeepsServing() throws Exception {
        routes.register(HttpMethod.GET, "/boom", req -> {
            throw new IllegalStateException("broken");
        });
        assertThat(send("GET", "/boom").statusCode()).isEqualTo(500);
        assertThat(send("GET", "/ready").statusCode()).isEqualTo(503);
    }

    /**
     * Bound but not yet accepting (the proxy's start): a client's connection waits in the accept queue, its
     * request unanswered, and is answered once accepting starts; the port is taken meanwhile.
     */
    @ParameterizedTest
    @MethodSource("transports")
    void aBoundServerAnswersWaitingClientsOnceItAccepts(Transport transport) throws Exception {
        AdminServer waiting = AdminServer.bind(new InetSocketAddress("127.0.0.1", 0), routes, transport);
        try (Socket s = new Socket()) {
            int port = waiting.localAddress().getPort();
            assertThatThrownBy(() -> AdminServer.bind(new InetSocketAddress("127.0.0.1", port), new AdminRoutes()))
                    .isInstanceOf(IOException.class).hasMessageContaining("Address already in use");
            s.connect(waiting.localAddress(), 5000);
            s.getOutputStream().write("GET /ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(300);
            assertThatThrownBy(() -> s.getInputStream().read())
                    .as("no answer before accepting starts").isInstanceOf(SocketTimeoutException.class);
            state.set(ServerState.LIVE);
            waiting.startAccepting();
            s.setSoTimeout(10_000);
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 200 OK").endsWith("LIVE\n");
        } finally {
            waiting.close();
        }
    }

    static List<Transport> transports() {
        return Transport.platform().isEpoll() ? List.of(Transport.platform(), Transport.nio()) : List.of(Transport.nio());
    }

    @Test
    void anAddressInUseIsReportedOnOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            InetSocketAddress addr = new InetSocketAddress("127.0.0.1", taken.getLocalPort());
            assertThatThrownBy(() -> AdminServer.start(addr, new AdminRoutes()))
                    .isInstanceOf(IOException.class)
                    .hasMessage("cannot bind admin address 127.0.0.1:" + taken.getLocalPort()
                            + ": Address already in use");
        }
    }
}
