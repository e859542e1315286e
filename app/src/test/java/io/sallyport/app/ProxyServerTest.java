package io.sallyport.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sallyport.core.admin.ServerState;
import io.sallyport.core.config.ConfigLoader;
import io.sallyport.core.config.LoadResult;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.runtime.DataPlaneComponent;
import io.sallyport.core.runtime.Snapshot;
import io.sallyport.core.runtime.SnapshotHolder.ReloadOutcome;
import io.sallyport.testing.FreeAddresses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProxyServerTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<ProxyServer> started = new ArrayList<>();
    private final Stats stats = new Stats();

    @TempDir
    Path dir;

    @AfterEach
    void stopAll() {
        started.forEach(s -> s.stop(false));
    }

    static String config(int outboundPort) {
        return """
                type: Dataplane
                name: app
                mesh: default
                networking:
                  address: 127.0.0.1
                  outbound:
                    - port: %d
                      backendRef:
                        kind: MeshExternalService
                        name: api
                ---
                type: MeshExternalService
                name: api
                mesh: default
                spec:
                  match:
                    type: HostnameGenerator
                    port: 80
                    protocol: tcp
                  endpoints:
                    - address: 127.0.0.1
                      port: 8080
                """.formatted(outboundPort);
    }

    static final String BAD_PORT = """
            type: MeshExternalService
            name: api
            mesh: default
            spec:
              match:
                type: HostnameGenerator
                port: 70000
                protocol: tcp
              endpoints:
                - address: 127.0.0.1
                  port: 8080
            """;

    private static ConfigSource.Loaded parse(String yaml) {
        LoadResult r = ConfigLoader.parse("test.yaml", yaml);
        return new ConfigSource.Loaded(r.config(), r.errors(), List.of("test.yaml"));
    }

    private ProxyServer start(AtomicReference<String> yaml, ComponentFactory... components) {
        ServerSettings settings = ServerSettings.defaults(List.of(dir))
                .withAdminAddress(new InetSocketAddress("127.0.0.1", 0)).withWatchConfig(false);
        ProxyServer server = new ProxyServer(settings, () -> parse(yaml.get()), List.of(components), stats);
        started.add(server);
        server.start();
        return server;
    }

    private HttpResponse<String> get(ProxyServer server, String path) throws Exception {
        return send(server, "GET", path);
    }

    private HttpResponse<String> send(ProxyServer server, String method, String path) throws Exception {
        URI uri = URI.create("http://" + io.sallyport.app.HostPort.format(server.adminAddress()) + path);
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void startAppliesTheFirstSnapshotAndServesAdmin() throws Exception {
        int port = FreeAddresses.freeTcpPort();
        ListenerStandIn listeners = new ListenerStandIn();
        ProxyServer server = start(new AtomicReference<>(config(port)), ctx -> listeners);
        assertThat(server.state()).isEqualTo(ServerState.LIVE);
        assertThat(listeners.boundPorts()).containsExactly(port);
        assertThat(get(server, "/ready").statusCode()).isEqualTo(200);
        assertThat(get(server, "/config_dump").body()).contains("\"generation\" : 1", "\"loaded_files\" : [ \"test.yaml\" ]");
        assertThat(get(server, "/stats/prometheus").body())
                .contains("envoy_server_live 1\n", "sallyport_config_generation 1\n",
                        "sallyport_config_reload_total{result=\"failure\"} 0\n")
                // Bound by this first scrape, not at start.
                .contains("jvm_memory_used_bytes", "process_uptime_seconds");
    }

    /**
     * The admin port is bound before the components start, and a /ready asked meanwhile is answered once
     * the start is complete: 200, never a 503 that the start had to spend its CPU on.
     */
    @Test
    void aReadyRequestMadeDuringTheStartIsAnsweredWhenItIsComplete() throws Exception {
        int admin = FreeAddresses.freeTcpPort();
        Socket asking = new Socket();
        AtomicReference<Boolean> answeredDuringStart = new AtomicReference<>();
        DataPlaneComponent askingDuringApply = new DataPlaneComponent() {
            @Override
            public void apply(Snapshot next) throws Exception {
                asking.connect(new InetSocketAddress("127.0.0.1", admin), 5000);
                asking.getOutputStream().write("GET /ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                asking.setSoTimeout(300);
                try {
                    answeredDuringStart.set(asking.getInputStream().read() >= 0);
                } catch (SocketTimeoutException e) {
                    answeredDuringStart.set(false);
                }
            }

            @Override
            public CompletableFuture<Void> drain(Duration timeout) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void close() {
            }
        };
        ServerSettings settings = ServerSettings.defaults(List.of(dir))
                .withAdminAddress(new InetSocketAddress("127.0.0.1", admin)).withWatchConfig(false);
        ProxyServer server = new ProxyServer(settings, () -> parse(config(FreeAddresses.freeTcpPort())),
                List.of(ctx -> askingDuringApply), stats);
        started.add(server);
        try (asking) {
            server.start();
            assertThat(answeredDuringStart.get()).as("answered while the components started").isFalse();
            asking.setSoTimeout(10_000);
            String answer = new String(asking.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 200 OK").endsWith("LIVE\n");
        }
    }

    @Test
    void aFactoryMayDeclineAndReadsTheSettings() throws Exception {
        ListenerStandIn listeners = new ListenerStandIn();
        AtomicReference<ComponentContext> seen = new AtomicReference<>();
        ProxyServer server = start(new AtomicReference<>(config(FreeAddresses.freeTcpPort())), ctx -> {
            seen.set(ctx);
            return null;
        }, ctx -> listeners);
        assertThat(server.state()).isEqualTo(ServerState.LIVE);
        assertThat(listeners.appliedGenerations).containsExactly(1L);
        assertThat(seen.get().options().proxyType()).isEqualTo(io.sallyport.core.runtime.ProxyType.DATAPLANE);
        assertThat(seen.get().settings().dnsAddress()).isEqualTo(HostPort.parse("127.0.0.1:15053"));
        assertThat(seen.get().snapshots()).isSameAs(server.snapshots());
    }

    @Test
    void aValidReloadSwapsAndAnInvalidOneKeepsTheRunningConfig() throws Exception {
        int first = FreeAddresses.freeTcpPort();
        int second = FreeAddresses.freeTcpPort();
        AtomicReference<String> yaml = new AtomicReference<>(config(first));
        ListenerStandIn listeners = new ListenerStandIn();
        ProxyServer server = start(yaml, ctx -> listeners);

        yaml.set(config(second));
        ReloadOutcome ok = server.reloader().reloadNow("test");
        assertThat(ok.succeeded()).isTrue();
        assertThat(server.snapshots().current().generation()).isEqualTo(2);
        assertThat(listeners.boundPorts()).containsExactly(second);

        yaml.set(BAD_PORT);
        ReloadOutcome bad = server.reloader().reloadNow("test");
        assertThat(bad.succeeded()).isFalse();
        assertThat(server.snapshots().current().generation()).isEqualTo(2);
        assertThat(listeners.boundPorts()).containsExactly(second);
        assertThat(server.snapshots().lastReloadError()).startsWith("test.yaml:7: MeshExternalService/api: spec.match.port: ");
        assertThat(get(server, "/config_dump").body()).contains("\"last_reload_error\" : \"test.yaml:7: ");
        assertThat(stats.counterValue("sallyport_config_reload_total", "result", "success")).isEqualTo(1);
        assertThat(stats.counterValue("sallyport_config_reload_total", "result", "failure")).isEqualTo(1);
        assertThat(stats.gaugeValue("sallyport_config_generation")).isEqualTo(2);
    }

    @Test
    void aComponentThatCannotApplyRollsTheOthersBack() throws Exception {
        int first = FreeAddresses.freeTcpPort();
        AtomicReference<String> yaml = new AtomicReference<>(config(first));
        ListenerStandIn listeners = new ListenerStandIn();
        ProxyServer server = start(yaml, ctx -> listeners, ctx -> new DataPlaneComponent() {
            @Override
            public void apply(Snapshot next) throws IOException {
                if (next.generation() > 1) {
                    throw new IOException("cannot bind 127.0.0.1:15053: Address already in use");
                }
            }

            @Override
            public CompletableFuture<Void> drain(Duration timeout) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void close() {
            }
        });
        int second = FreeAddresses.freeTcpPort();
        yaml.set(config(second));
        ReloadOutcome outcome = server.reloader().reloadNow("test");
        assertThat(outcome.errors()).containsExactly(
                "cannot apply the new config: cannot bind 127.0.0.1:15053: Address already in use");
        assertThat(server.snapshots().current().generation()).isEqualTo(1);
        assertThat(listeners.appliedGenerations).containsExactly(1L, 2L, 1L);
        assertThat(listeners.boundPorts()).containsExactly(first);
    }

    @Test
    void anInvalidConfigAtStartIsExit1WithEveryErrorLine() throws Exception {
        int admin = FreeAddresses.freeTcpPort();
        ServerSettings settings = ServerSettings.defaults(List.of(dir))
                .withAdminAddress(new InetSocketAddress("127.0.0.1", admin)).withWatchConfig(false);
        ProxyServer server = new ProxyServer(settings, () -> parse(BAD_PORT), List.of(), stats);
        assertThatThrownBy(server::start)
                .isInstanceOfSatisfying(CommandFailure.class, f -> {
                    assertThat(f.exitCode()).isEqualTo(1);
                    assertThat(f.lines()).singleElement().asString()
                            .startsWith("test.yaml:7: MeshExternalService/api: spec.match.port: ");
                });
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), admin)); // nothing was bound
        }
    }

    @Test
    void anAdminPortInUseIsExit2AndStartsNothing() throws Exception {
        int port = FreeAddresses.freeTcpPort();
        ListenerStandIn listeners = new ListenerStandIn();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ServerSettings settings = ServerSettings.defaults(List.of(dir))
                    .withAdminAddress(new InetSocketAddress("127.0.0.1", taken.getLocalPort())).withWatchConfig(false);
            ProxyServer server = new ProxyServer(settings, () -> parse(config(port)), List.of(ctx -> listeners), stats);
            assertThatThrownBy(server::start)
                    .isInstanceOfSatisfying(CommandFailure.class, f -> {
                        assertThat(f.exitCode()).isEqualTo(2);
                        assertThat(f.lines()).containsExactly("sallyport: cannot bind admin address 127.0.0.1:"
                                + taken.getLocalPort() + ": Address already in use");
                    });
        }
        assertThat(listeners.appliedGenerations).isEmpty();
    }

    @Test
    void aComponentThatCannotStartIsExit2AndEverythingCloses() throws Exception {
        int port = FreeAddresses.freeTcpPort();
        ListenerStandIn listeners = new ListenerStandIn();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            ServerSettings settings = ServerSettings.defaults(List.of(dir))
                    .withAdminAddress(new InetSocketAddress("127.0.0.1", 0)).withWatchConfig(false);
            ProxyServer server = new ProxyServer(settings, () -> parse(config(port)), List.of(ctx -> listeners), stats);
            assertThatThrownBy(server::start)
                    .isInstanceOfSatisfying(CommandFailure.class, f -> {
                        assertThat(f.exitCode()).isEqualTo(2);
                        assertThat(f.lines()).singleElement().asString()
                                .startsWith("sallyport: cannot start ListenerStandIn: cannot bind 127.0.0.1");
                    });
        }
        assertThat(listeners.closed).isTrue();
    }

    @Test
    void sigtermDrainsThenExits0AndQuitExitsAtOnce() throws Exception {
        ListenerStandIn listeners = new ListenerStandIn();
        ProxyServer server = start(new AtomicReference<>(config(FreeAddresses.freeTcpPort())), ctx -> listeners);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
            try {
                return server.awaitShutdown();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        server.shutdown(true);
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(listeners.drains).containsExactly(ServerSettings.DEFAULT_DRAIN_TIMEOUT);
        assertThat(listeners.closed).isTrue();

        ListenerStandIn other = new ListenerStandIn();
        ProxyServer quitting = start(new AtomicReference<>(config(FreeAddresses.freeTcpPort())), ctx -> other);
        CompletableFuture<Integer> quitExit = CompletableFuture.supplyAsync(() -> {
            try {
                return quitting.awaitShutdown();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(send(quitting, "POST", "/quitquitquit").statusCode()).isEqualTo(200);
        assertThat(quitExit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(other.drains).isEmpty();
        assertThat(other.closed).isTrue();
    }

    @Test
    void aSecondStopRequestCutsTheDrainShort() throws Exception {
        CompletableFuture<Void> neverDrains = new CompletableFuture<>();
        CountDownLatch draining = new CountDownLatch(1);
        ServerSettings settings = new ServerSettings(List.of(dir), null, new InetSocketAddress("127.0.0.1", 0), null,
                "242.0.0.0/8", null, null, null, Duration.ofMinutes(10), null, false);
        ProxyServer server = new ProxyServer(settings, () -> parse(config(FreeAddresses.freeTcpPort())),
                List.of(ctx -> new DataPlaneComponent() {
                    @Override
                    public void apply(Snapshot next) {
                    }

                    @Override
                    public CompletableFuture<Void> drain(Duration timeout) {
                        draining.countDown();
                        return neverDrains;
                    }

                    @Override
                    public void close() {
                        neverDrains.cancel(false);
                    }
                }), stats);
        started.add(server);
        server.start();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
            try {
                return server.awaitShutdown();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        server.shutdown(true);
        assertThat(draining.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(exit).isNotDone();
        server.shutdown(true);
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(neverDrains).isCancelled();
    }

    @Test
    void drainListenersTurnsReadyTo503() throws Exception {
        ListenerStandIn listeners = new ListenerStandIn();
        ProxyServer server = start(new AtomicReference<>(config(FreeAddresses.freeTcpPort())), ctx -> listeners);
        assertThat(send(server, "POST", "/drain_listeners").statusCode()).isEqualTo(200);
        assertThat(get(server, "/ready").statusCode()).isEqualTo(503);
        assertThat(get(server, "/ready").body()).isEqualTo("DRAINING\n");
    }

    @Test
    void aChangedFileIsReloaded() throws Exception {
        Path file = dir.resolve("proxy.yaml");
        int first = FreeAddresses.freeTcpPort();
        int second = FreeAddresses.freeTcpPort();
        Files.writeString(file, config(first));
        ListenerStandIn listeners = new ListenerStandIn();
        ServerSettings settings = ServerSettings.defaults(List.of(dir))
                .withAdminAddress(new InetSocketAddress("127.0.0.1", 0));
        ProxyServer server = new ProxyServer(settings, new ConfigFiles(List.of(dir)), List.of(ctx -> listeners), stats);
        started.add(server);
        server.start();
        CountDownLatch swapped = new CountDownLatch(1);
        server.snapshots().onSwap((old, next) -> swapped.countDown());

        Path tmp = Files.writeString(dir.resolve(".proxy.yaml.tmp"), config(second));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        assertThat(swapped.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(server.snapshots().current().generation()).isEqualTo(2);
        assertThat(listeners.boundPorts()).containsExactly(second);
    }
}
