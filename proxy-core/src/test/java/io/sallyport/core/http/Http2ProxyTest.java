package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** h2c clients (curl, nghttp) through the proxy to HTTP/2 and HTTP/1.1 origins. */
class Http2ProxyTest {

    private static TestOrigin h2Origin;
    private static TestOrigin h1Origin;
    private static ProxyHarness toH2;
    private static ProxyHarness toH1;

    @BeforeAll
    static void start() throws Exception {
        h2Origin = new TestOrigin(true);
        h1Origin = new TestOrigin(false);
        toH2 = new ProxyHarness("mes-http2", UpstreamHttpProtocol.HTTP2, HttpTimeouts.KUMA_DEFAULTS,
                List.of(h2Origin.endpoint()));
        toH1 = new ProxyHarness("mes-http", UpstreamHttpProtocol.HTTP1, HttpTimeouts.KUMA_DEFAULTS,
                List.of(h1Origin.endpoint()));
    }

    @AfterAll
    static void stop() {
        toH2.close();
        toH1.close();
        h2Origin.close();
        h1Origin.close();
    }

    static Result run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    record Result(int exit, String out) {
    }

    @Test
    void curlPriorKnowledgeToHttp2Origin() throws Exception {
        Result r = run("curl", "-sS", "-i", "--max-time", "10", "--http2-prior-knowledge", toH2.url("/headers"));
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).startsWith("HTTP/2 200").contains("x-origin: yes")
                .contains("host: 127.0.0.1:" + h2Origin.port()).contains("x-request-id: ");
    }

    @Test
    void curlPriorKnowledgeToHttp1Origin() throws Exception {
        Result r = run("curl", "-sS", "-i", "--max-time", "10", "--http2-prior-knowledge", toH1.url("/headers"));
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).startsWith("HTTP/2 200").contains("host: 127.0.0.1:" + h1Origin.port())
                .doesNotContain("x-http2-");
    }

    @Test
    void http1ClientToHttp2OriginWithBodyAndTrailers() throws Exception {
        Result r = run("curl", "-sS", "-i", "--max-time", "10", "--http1.1", "-H", "TE: trailers", toH2.url("/trailers"));
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).startsWith("HTTP/1.1 200").contains("body").contains("x-trailer: yes");
        Result post = run("curl", "-sS", "--max-time", "10", "--http1.1", "--data-binary", "0123456789",
                toH2.url("/sink"));
        assertThat(post.out()).startsWith("10 ");
    }

    @Test
    void http2ExpectContinueIsAnsweredByTheProxy() throws Exception {
        Result r = run("curl", "-sS", "-i", "--max-time", "10", "--http2-prior-knowledge", "-H", "Expect: 100-continue",
                "--data-binary", "abcdef", toH1.url("/sink"));
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("HTTP/2 100").contains("HTTP/2 200").contains("6 ");
        assertThat(h1Origin.lastHeaders).doesNotContainKey("expect");
    }

    @Test
    void nghttpFiftyConcurrentStreams() throws Exception {
        long before = toH2.stats.counterValue("envoy_cluster_upstream_rq", "envoy_cluster_name", "mes-http2",
                "envoy_response_code", "200");
        Result r = run("nghttp", "-n", "-s", "-m", "50", "-t", "20", toH2.url("/bytes/20000"));
        assertThat(r.exit()).as(r.out()).isZero();
        long after = toH2.stats.counterValue("envoy_cluster_upstream_rq", "envoy_cluster_name", "mes-http2",
                "envoy_response_code", "200");
        assertThat(after - before).isEqualTo(50);
        // All 50 streams shared the multiplexed upstream connection(s): far fewer than 50.
        assertThat(h2Origin.connections.get()).isLessThanOrEqualTo(3);
    }

    @Test
    void upstreamResetMidResponseResetsTheClientStream() throws Exception {
        Result r = run("curl", "-sS", "--max-time", "10", "--http2-prior-knowledge", "-o", "/dev/null", toH2.url("/cut"));
        assertThat(r.exit()).as(r.out()).isNotZero();
        Result h1 = run("curl", "-sS", "--max-time", "10", "--http1.1", "-o", "/dev/null", toH1.url("/cut"));
        assertThat(h1.exit()).as(h1.out()).isNotZero();
    }

    @Test
    void noReachableEndpointGets503WithUf() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        try (ProxyHarness p = new ProxyHarness("mes-down", UpstreamHttpProtocol.HTTP2, HttpTimeouts.KUMA_DEFAULTS,
                List.of(UpstreamEndpoint.plain(new InetSocketAddress("127.0.0.1", deadPort))))) {
            Result r = run("curl", "-sS", "-i", "--max-time", "10", "--http2-prior-knowledge", p.url("/"));
            assertThat(r.out()).startsWith("HTTP/2 503").contains("connection failure");
            assertThat(p.awaitEntry(e -> true).responseFlags()).isEqualTo("UF");
            assertThat(p.stats.counterValue("envoy_cluster_upstream_rq_xx", "envoy_cluster_name", "mes-down",
                    "envoy_response_code_class", "5")).isEqualTo(1);
        }
    }

    @Test
    void connectFailureFallsThroughToTheNextEndpoint() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        List<UpstreamEndpoint> eps = new ArrayList<>();
        eps.add(UpstreamEndpoint.plain(new InetSocketAddress("127.0.0.1", deadPort)));
        eps.add(h1Origin.endpoint());
        try (ProxyHarness p = new ProxyHarness("mes-failover", UpstreamHttpProtocol.HTTP1, HttpTimeouts.KUMA_DEFAULTS, eps)) {
            for (int i = 0; i < 4; i++) {
                Result r = run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", p.url("/"));
                assertThat(r.out()).isEqualTo("200");
            }
        }
    }

    @Test
    void maxConcurrentStreamsOpensMoreConnections() throws Exception {
        try (TestOrigin limited = new TestOrigin(true, 4);
             ProxyHarness p = new ProxyHarness("mes-limited", UpstreamHttpProtocol.HTTP2, HttpTimeouts.KUMA_DEFAULTS,
                     List.of(limited.endpoint()))) {
            Result r = run("nghttp", "-n", "-m", "20", p.url("/delay/200"));
            assertThat(r.exit()).as(r.out()).isZero();
            assertThat(p.stats.counterValue("envoy_cluster_upstream_rq", "envoy_cluster_name", "mes-limited",
                    "envoy_response_code", "200")).isEqualTo(20);
            assertThat(limited.connections.get()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void idleTimeoutZeroMeansNoLimit() {
        assertThat(HttpTimeouts.KUMA_DEFAULTS.maxStreamDuration()).isEqualTo(Duration.ZERO);
    }
}
