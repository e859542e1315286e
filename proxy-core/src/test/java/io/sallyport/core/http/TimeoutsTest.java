package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.core.metrics.Stats;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Route timeouts other than the request timeout: stream idle and max stream duration. */
class TimeoutsTest {

    @Test
    void streamIdleAndMaxStreamDurationEndSlowRequestsWith504() throws Exception {
        try (TestOrigin o = new TestOrigin(false)) {
            Stats stats = new Stats();
            HttpCluster c = new HttpCluster("mes-t", UpstreamHttpProtocol.HTTP1,
                    new DirectUpstreamChannelSource(List.of(o.endpoint())), HttpTimeouts.KUMA_DEFAULTS,
                    new HttpClusterStats(stats, "mes-t"));
            HttpTimeouts idle = new HttpTimeouts(Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofSeconds(10),
                    Duration.ofMillis(300), Duration.ZERO);
            HttpTimeouts max = new HttpTimeouts(Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofSeconds(10),
                    Duration.ofMinutes(30), Duration.ofMillis(400));
            try (ProxyHarness p = new ProxyHarness(a -> new HttpRoute(c,
                    a.startsWith("idle") ? idle : max, true))) {
                long t0 = System.nanoTime();
                Http2ProxyTest.Result r = Http2ProxyTest.run("curl", "-sS", "-i", "--max-time", "10", "-H", "Host: idle",
                        p.url("/delay/3000"));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(r.out()).startsWith("HTTP/1.1 504").contains("stream timeout");
                assertThat(ms).isLessThan(2500);
                assertThat(p.awaitEntry(e -> "idle".equals(e.authority())).responseFlags()).isEqualTo("SI");

                Http2ProxyTest.Result r2 = Http2ProxyTest.run("curl", "-sS", "-i", "--max-time", "10",
                        "--http2-prior-knowledge", "-H", "Host: max", p.url("/delay/3000"));
                assertThat(r2.out()).startsWith("HTTP/2 504");
                assertThat(p.awaitEntry(e -> "max".equals(e.authority())).responseFlags()).isEqualTo("UMSDR");
                assertThat(stats.counterValue("envoy_cluster_upstream_rq_timeout", "envoy_cluster_name", "mes-t"))
                        .isEqualTo(2);
            } finally {
                c.close();
            }
        }
    }

    /** Bytes from the origin are activity: a response that trickles in for longer than the idle timeout completes. */
    @Test
    void streamIdleCountsFromTheOriginsLatestBytes() throws Exception {
        try (TestOrigin o = new TestOrigin(false)) {
            HttpTimeouts idle = new HttpTimeouts(Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofSeconds(10),
                    Duration.ofMillis(600), Duration.ZERO);
            try (ProxyHarness p = new ProxyHarness("mes-drip", UpstreamHttpProtocol.HTTP1, idle, List.of(o.endpoint()))) {
                for (String version : List.of("--http1.1", "--http2-prior-knowledge")) {
                    long t0 = System.nanoTime();
                    Http2ProxyTest.Result r = Http2ProxyTest.run("curl", "-sS", "--max-time", "10", version,
                            "-w", " %{http_code}", p.url("/drip/12"));
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertThat(r.out()).as(version).isEqualTo("x".repeat(12) + " 200");
                    assertThat(ms).as(version + ": longer than the idle timeout").isGreaterThan(1100);
                    assertThat(p.awaitEntry(e -> e.path().equals("/drip/12") && e.protocol().equals(
                            version.equals("--http1.1") ? "HTTP/1.1" : "HTTP/2")).responseFlags()).isEqualTo("-");
                }
            }
        }
    }

    /**
     * The connection's timer is armed for the first request's deadline; a later request on the same
     * keep-alive connection must time out after its own full request timeout, not at that earlier deadline.
     */
    @Test
    void requestTimeoutOfALaterRequestOnAKeptAliveConnectionCountsFromItsOwnEnd() throws Exception {
        try (TestOrigin o = new TestOrigin(false)) {
            // 700 ms of margin for the first request, so that a stall on a loaded machine does not time it out.
            HttpTimeouts t = new HttpTimeouts(Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofMillis(1000),
                    Duration.ofMinutes(30), Duration.ZERO);
            try (ProxyHarness p = new ProxyHarness("mes-ka", UpstreamHttpProtocol.HTTP1, t, List.of(o.endpoint()))) {
                Http2ProxyTest.Result r = Http2ProxyTest.run("curl", "-sS", "-o", "/dev/null", "-o", "/dev/null", "--max-time", "10",
                        "-w", "%{http_code} %{num_connects} %{time_total}\\n",
                        p.url("/delay/300"), p.url("/delay/5000"));
                String[] lines = r.out().trim().split("\\n");
                assertThat(lines).hasSize(2);
                assertThat(lines[0]).startsWith("200 1 ");
                String[] second = lines[1].split(" ");
                assertThat(second[0]).isEqualTo("504");
                assertThat(second[1]).as("the same connection").isEqualTo("0");
                double seconds = Double.parseDouble(second[2]);
                // The first request's deadline passed ~700 ms into the second one: that must not end it.
                assertThat(seconds).isGreaterThan(0.85).isLessThan(4.0);
                assertThat(p.awaitEntry(e -> e.path().equals("/delay/5000")).responseFlags()).isEqualTo("UT");
            }
        }
    }
}
