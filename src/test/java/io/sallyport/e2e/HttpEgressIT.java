package io.sallyport.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.testing.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP MeshExternalServices through the packaged proxy with real clients: the documentation's {@code http}
 * example with {@code curl} over HTTP/1.1 and h2c (and pipelined requests from a half-closing client), the
 * {@code https} example against {@code openssl s_server -www}; {@code nghttp} with many concurrent streams through an
 * {@code http2} service; the Istio-style timeout example ({@code MeshTimeout} {@code http.requestTimeout}
 * against a slow origin: 504, flag {@code UT}); 503 when the upstream is down; 403 when the Mesh forbids.
 */
class HttpEgressIT {

    private static final Duration READY = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** Runs a command, returns its stdout+stderr; fails when it does not end within 30 s. */
    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** {@code curl -s} printing the body then {@code CODE <status> <http version> <seconds>}. */
    static String curl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-m", "10", "-w",
                "\nCODE %{http_code} %{http_version} %{time_total}\n"));
        cmd.addAll(Arrays.asList(args));
        return run(cmd.toArray(String[]::new));
    }

    /** Waits (at most 10 s) for an access log line containing every one of {@code parts}. */
    static String awaitLine(SallyportProcess p, String... parts) throws InterruptedException {
        java.util.function.Supplier<String> line = () -> p.stdout().lines()
                .filter(l -> Arrays.stream(parts).allMatch(l::contains)).findFirst().orElse(null);
        assertThat(Await.until(() -> line.get() != null, Duration.ofSeconds(10)))
                .as("access log line with %s; stdout:%n%s", List.of(parts), p.stdout()).isTrue();
        return line.get();
    }

    @Test
    void httpExampleServesCurlOverHttp11AndH2cWithTheHostRewritten() throws Exception {
        int admin = FreePorts.tcp();
        int outbound = FreePorts.tcp();
        try (HttpOrigins.Http1 origin = new HttpOrigins.Http1(0)) {
            Path example = ExampleConfigs.copy("http", dir, Map.of(9905, admin, 10180, outbound, 18080, origin.port()));
            try (SallyportProcess p = SallyportProcess.start(dir, "run", "--config", example.toString(),
                    "--dns-enabled=false")) {
                p.awaitReady(admin, READY);

                String h1 = curl("http://127.0.0.1:" + outbound + "/get");
                String rewritten = "host 127.0.0.1:" + origin.port();
                assertThat(h1).contains("origin /get " + rewritten).contains("CODE 200 1.1");
                String h2 = curl("--http2-prior-knowledge", "http://127.0.0.1:" + outbound + "/h2");
                assertThat(h2).contains("origin /h2 " + rewritten).contains("CODE 200 2");

                // Two pipelined requests, then the client half-closes: both are answered before the close.
                String pipelined = run("sh", "-c", "printf 'GET /p1 HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n"
                        + "GET /p2 HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n' | nc -N -w 5 127.0.0.1 " + outbound);
                assertThat(pipelined).contains("origin /p1 ").contains("origin /p2 ");

                awaitLine(p, "\"GET /get HTTP/1.1\" 200 - ", "\"127.0.0.1:" + origin.port() + "\"");
                awaitLine(p, "\"GET /h2 HTTP/2\" 200 - ");
                new AdminClient(admin).awaitBody("/stats/prometheus", b -> b.contains(
                        "envoy_cluster_upstream_rq_total{envoy_cluster_name=\"mes-http\"} 4"), READY);
                assertThat(p.stop(Duration.ofSeconds(20))).isZero();
                p.assertNoLeaks();
            }
        }
    }

    @Test
    void httpsExampleOriginatesTlsToTheStandIn() throws Exception {
        int admin = FreePorts.tcp();
        int outbound = FreePorts.tcp();
        int tlsPort = FreePorts.tcp();
        Path certs = SallyportProcess.root().resolve("config-examples/certs");
        // The README's stand-in: openssl's status page over TLS with the example's server certificate.
        Process server = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + tlsPort,
                "-cert", certs.resolve("server.crt").toString(), "-key", certs.resolve("server.key").toString(),
                "-www", "-quiet").redirectErrorStream(true).redirectOutput(dir.resolve("s_server.log").toFile()).start();
        try {
            awaitListening(tlsPort);
            Path example = ExampleConfigs.copy("https", dir, Map.of(9906, admin, 10280, outbound, 18443, tlsPort));
            try (SallyportProcess p = SallyportProcess.start(dir, "run", "--config", example.toString(),
                    "--dns-enabled=false")) {
                p.awaitReady(admin, READY);
                assertThat(curl("http://127.0.0.1:" + outbound + "/")).contains("Cipher").contains("CODE 200 1.1");
                awaitLine(p, "\"GET / HTTP/1.1\" 200 - ", "\"127.0.0.1:" + tlsPort + "\"");
                new AdminClient(admin).awaitBody("/stats/prometheus", b -> b.contains(
                        "envoy_cluster_ssl_handshake{envoy_cluster_name=\"mes-https\"} 1"), READY);
                assertThat(p.stop(Duration.ofSeconds(20))).isZero();
            }
        } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** Waits (at most 10 s) until something accepts connections on {@code 127.0.0.1:port}. */
    private static void awaitListening(int port) throws InterruptedException {
        assertThat(Await.until(() -> {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }, Duration.ofSeconds(10))).as("listening on %d", port).isTrue();
    }

    /** Outbounds to: a slow origin with a 1 s request timeout, a closed port, an h2c origin, a forbidden service. */
    private static String config(int admin, int slow, int down, int h2, int originPort, int closedPort, int h2cPort) {
        return """
                type: Mesh
                name: default
                ---
                type: Dataplane
                name: app
                mesh: default
                networking:
                  address: 127.0.0.1
                  admin:
                    port: %d
                  outbound:
                    - port: %d
                      backendRef: {kind: MeshExternalService, name: mes-slow}
                    - port: %d
                      backendRef: {kind: MeshExternalService, name: mes-down}
                    - port: %d
                      backendRef: {kind: MeshExternalService, name: mes-h2}
                ---
                type: MeshExternalService
                name: mes-slow
                mesh: default
                spec:
                  match: {type: HostnameGenerator, port: 80, protocol: http}
                  endpoints: [{address: 127.0.0.1, port: %d}]
                ---
                # Istio's request timeout example, Kuma style.
                type: MeshTimeout
                name: slow-timeout
                mesh: default
                spec:
                  targetRef: {kind: Mesh}
                  to:
                    - targetRef: {kind: MeshExternalService, name: mes-slow}
                      default:
                        http:
                          requestTimeout: 1s
                ---
                type: MeshExternalService
                name: mes-down
                mesh: default
                spec:
                  match: {type: HostnameGenerator, port: 80, protocol: http}
                  endpoints: [{address: 127.0.0.1, port: %d}]
                ---
                type: MeshExternalService
                name: mes-h2
                mesh: default
                spec:
                  match: {type: HostnameGenerator, port: 80, protocol: http2}
                  endpoints: [{address: 127.0.0.1, port: %d}]
                """.formatted(admin, slow, down, h2, originPort, closedPort, h2cPort);
    }

    @Test
    void timeoutsErrorsAndManyConcurrentStreams() throws Exception {
        int admin = FreePorts.tcp();
        int slow = FreePorts.tcp();
        int down = FreePorts.tcp();
        int h2 = FreePorts.tcp();
        int closedPort = FreePorts.tcp();
        try (HttpOrigins.Http1 origin = new HttpOrigins.Http1(0);
             HttpOrigins.H2c h2c = new HttpOrigins.H2c(FreePorts.tcp())) {
            Path conf = Files.writeString(dir.resolve("http.yaml"),
                    config(admin, slow, down, h2, origin.port(), closedPort, h2c.port()));
            try (SallyportProcess p = SallyportProcess.start(dir, "run", "--config", conf.toString(),
                    "--dns-enabled=false")) {
                p.awaitReady(admin, READY);

                // The timeout example: /delay/3 with a 1 s request timeout.
                String timedOut = curl("http://127.0.0.1:" + slow + "/delay/3");
                assertThat(timedOut).contains("upstream request timeout").contains("CODE 504 1.1");
                double seconds = Double.parseDouble(timedOut.substring(timedOut.lastIndexOf(' ') + 1).trim());
                assertThat(seconds).isBetween(0.9, 2.5);
                awaitLine(p, "\"GET /delay/3 HTTP/1.1\" 504 UT ");
                assertThat(curl("http://127.0.0.1:" + slow + "/fast")).contains("CODE 200");

                // No upstream listening.
                String refused = curl("http://127.0.0.1:" + down + "/");
                assertThat(refused).contains("CODE 503").contains("upstream connect error");
                awaitLine(p, "\"GET / HTTP/1.1\" 503 UF");

                // 200 requests multiplexed on one client connection, through an http2 service.
                String nghttp = run("nghttp", "-n", "-s", "-m", "200",
                        "http://127.0.0.1:" + h2 + "/stream");
                assertThat(nghttp).doesNotContain("ERROR");
                long ok = nghttp.lines().filter(l -> l.matches("\\s*\\d+\\s+\\+\\S+\\s+\\+\\S+\\s+\\S+\\s+200\\s.*")).count();
                assertThat(ok).as(nghttp).isEqualTo(200);
                new AdminClient(admin).awaitBody("/stats/prometheus", b -> b.contains(
                        "envoy_cluster_upstream_rq{envoy_cluster_name=\"mes-h2\",envoy_response_code=\"200\"} 200"), READY);
                assertThat(h2c.connections.get()).as("upstream HTTP/2 connections").isBetween(1, 3);
                assertThat(p.stop(Duration.ofSeconds(20))).isZero();
                p.assertNoLeaks();
            }
        }
    }

    @Test
    void aMeshThatForbidsExternalServicesAnswers403() throws Exception {
        int admin = FreePorts.tcp();
        int outbound = FreePorts.tcp();
        try (HttpOrigins.Http1 origin = new HttpOrigins.Http1(0)) {
            Path conf = Files.writeString(dir.resolve("forbid.yaml"), """
                    type: Mesh
                    name: default
                    routing:
                      defaultForbidMeshExternalServiceAccess: true
                    ---
                    type: Dataplane
                    name: app
                    mesh: default
                    networking:
                      address: 127.0.0.1
                      admin:
                        port: %d
                      outbound:
                        - port: %d
                          backendRef: {kind: MeshExternalService, name: mes-http}
                    ---
                    type: MeshExternalService
                    name: mes-http
                    mesh: default
                    spec:
                      match: {type: HostnameGenerator, port: 80, protocol: http}
                      endpoints: [{address: 127.0.0.1, port: %d}]
                    """.formatted(admin, outbound, origin.port()));
            try (SallyportProcess p = SallyportProcess.start(dir, "run", "--config", conf.toString(),
                    "--dns-enabled=false")) {
                p.awaitReady(admin, READY);
                assertThat(curl("http://127.0.0.1:" + outbound + "/")).contains("RBAC: access denied")
                        .contains("CODE 403");
                awaitLine(p, "\"GET / HTTP/1.1\" 403 RBAC ");
                assertThat(p.stop(Duration.ofSeconds(20))).isZero();
            }
        }
    }
}
