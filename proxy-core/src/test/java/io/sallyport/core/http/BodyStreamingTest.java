package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.testing.Await;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Large bodies both ways with checksums, and the proxy's buffer memory staying small while they pass
 * (256 MiB per direction here rather than the 1 GiB of the acceptance scenario, to keep the suite fast;
 * memory use does not depend on the size, which is the point of the check).
 */
class BodyStreamingTest {

    private static final long BIG = 256L << 20;
    /** The proxy's pooled direct memory must stay under this while hundreds of MiB stream through. */
    private static final long MEMORY_BOUND = 48L << 20;

    private static TestOrigin h1Origin;
    private static TestOrigin h2Origin;
    private static ProxyHarness toH1;
    private static ProxyHarness toH2;
    private static final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();

    @BeforeAll
    static void start() throws Exception {
        h1Origin = new TestOrigin(false);
        h2Origin = new TestOrigin(true);
        toH1 = new ProxyHarness("mes-h1", UpstreamHttpProtocol.HTTP1, HttpTimeouts.KUMA_DEFAULTS
                .withRequestTimeout(Duration.ofSeconds(60)), List.of(h1Origin.endpoint()));
        toH2 = new ProxyHarness("mes-h2", UpstreamHttpProtocol.HTTP2, HttpTimeouts.KUMA_DEFAULTS
                .withRequestTimeout(Duration.ofSeconds(60)), List.of(h2Origin.endpoint()));
    }

    @AfterAll
    static void stop() {
        toH1.close();
        toH2.close();
        h1Origin.close();
        h2Origin.close();
        sampler.shutdownNow();
    }

    /** Records the peak of the proxy allocator's used direct memory until stopped. */
    private static java.util.concurrent.ScheduledFuture<?> watchMemory(ProxyHarness proxy, AtomicLong peak) {
        return sampler.scheduleAtFixedRate(
                () -> peak.accumulateAndGet(proxy.allocator.metric().usedDirectMemory(), Math::max),
                0, 5, TimeUnit.MILLISECONDS);
    }

    /** Deterministic content as a stream, for uploads. */
    private static InputStream content(long n) {
        return new InputStream() {
            long pos;

            @Override
            public int read() {
                return pos < n ? TestOrigin.byteAt(pos++) & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= n) {
                    return -1;
                }
                int k = (int) Math.min(len, n - pos);
                for (int i = 0; i < k; i++) {
                    b[off + i] = TestOrigin.byteAt(pos++);
                }
                return k;
            }
        };
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void bigDownloadAndUploadOverHttp1WithBoundedMemory() throws Exception {
        String expected = TestOrigin.sha256Of(BIG);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicLong peak = new AtomicLong();
        var watch = watchMemory(toH1, peak);
        try {
            HttpResponse<InputStream> down = client.send(HttpRequest.newBuilder(URI.create(toH1.url("/bytes/" + BIG)))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(down.statusCode()).isEqualTo(200);
            try (InputStream in = down.body()) {
                assertThat(sha256(in)).isEqualTo(expected);
            }
            HttpResponse<String> up = client.send(HttpRequest.newBuilder(URI.create(toH1.url("/sink")))
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.fromPublisher(
                            HttpRequest.BodyPublishers.ofInputStream(() -> content(BIG)))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(up.body()).isEqualTo(BIG + " " + expected);
        } finally {
            watch.cancel(false);
        }
                assertThat(peak.get()).as("proxy direct memory peak").isPositive().isLessThan(MEMORY_BOUND);
    }

    @Test
    void bigDownloadAndUploadOverHttp2WithBoundedMemory() throws Exception {
        long size = 64L << 20;
        String expected = TestOrigin.sha256Of(size);
        AtomicLong peak = new AtomicLong();
        var watch = watchMemory(toH2, peak);
        try {
            Process down = new ProcessBuilder("curl", "-sS", "--max-time", "60", "--http2-prior-knowledge",
                    toH2.url("/bytes/" + size)).start();
            String got;
            try (InputStream in = down.getInputStream()) {
                got = sha256(in);
            }
            assertThat(down.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(got).isEqualTo(expected);

            Process up = new ProcessBuilder("curl", "-sS", "--max-time", "60", "--http2-prior-knowledge",
                    "-X", "POST", "-T", "-", toH2.url("/sink")).start();
            try (OutputStream out = up.getOutputStream(); InputStream src = content(size)) {
                src.transferTo(out);
            }
            String answer = new String(up.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(up.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(answer).isEqualTo(size + " " + expected);
        } finally {
            watch.cancel(false);
        }
                assertThat(peak.get()).as("proxy direct memory peak").isPositive().isLessThan(MEMORY_BOUND);
    }

    @Test
    void slowClientSlowsTheUpstreamInsteadOfFillingMemory() throws Exception {
        long size = 64L << 20;
        AtomicLong peak = new AtomicLong();
        try (Socket s = new Socket("127.0.0.1", toH1.port())) {
            s.setSoTimeout(30_000);
            s.setReceiveBufferSize(64 * 1024);
            s.getOutputStream().write(("GET /bytes/" + size + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long read = 0;
            while (read < (1 << 20)) {
                read += in.read(buf);
            }
            // Stall: an origin streaming at loopback speed would push the whole 64 MiB into the proxy now.
            var watch = watchMemory(toH1, peak);
            try {
                // Hold the stall until the proxy's memory has stopped growing: it stopped pulling from the origin.
                assertThat(Await.stalled(() -> toH1.allocator.metric().usedDirectMemory(), Duration.ofMillis(700),
                        Duration.ofSeconds(20))).as("proxy stopped reading the origin").isTrue();
            } finally {
                watch.cancel(false);
            }
            long total = read;
            int n;
            while (total < size && (n = in.read(buf)) > 0) {
                total += n;
            }
            assertThat(total).isGreaterThanOrEqualTo(size);
        }
                assertThat(peak.get()).as("proxy direct memory while the client stalls").isPositive().isLessThan(16L << 20);
    }
}
