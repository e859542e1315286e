package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP/1.1 connection idle timeout: counted only while no request is in flight. */
class DownstreamIdleTimeoutTest {

    /** Long enough that a stalled test thread between two requests is not mistaken for an idle client. */
    private static final long IDLE_MILLIS = 1000;
    private static TestOrigin origin;
    private static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        origin = new TestOrigin(false);
        proxy = new ProxyHarness("mes-idle-down", UpstreamHttpProtocol.HTTP1, HttpTimeouts.KUMA_DEFAULTS,
                List.of(origin.endpoint()), HttpDownstreamLimits.DEFAULTS.withIdleTimeout(Duration.ofMillis(IDLE_MILLIS)));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        origin.close();
    }

    @Test
    void aConnectionWithoutRequestsIsClosedAfterTheIdleTimeout() throws Exception {
        try (Socket s = new Socket()) {
            // Taken before the connection exists, so before the proxy's idle clock can start.
            long start = System.nanoTime();
            s.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 10_000);
            s.setSoTimeout(10_000);
            assertThat(readsEndOfStream(s.getInputStream())).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(IDLE_MILLIS - 50));
        }
    }

    @Test
    void aRequestLongerThanTheIdleTimeoutKeepsItsConnectionWhichClosesWhenIdleAfterwards() throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            // The origin answers after twice the idle timeout: the connection is busy, not idle, meanwhile.
            out.write(("GET /delay/" + 2 * IDLE_MILLIS + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 200").endsWith("delayed " + 2 * IDLE_MILLIS);
            // Still open: the next request on it is answered. The proxy's idle clock restarts when that
            // exchange ends, after this instant.
            long idleFrom = System.nanoTime();
            out.write("GET /status/201 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 201");
            assertThat(readsEndOfStream(in)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - idleFrom)).isGreaterThanOrEqualTo(Duration.ofMillis(IDLE_MILLIS - 50));
        }
    }

    /** Blocks until the proxy closes the connection (bounded by the socket timeout). */
    private static boolean readsEndOfStream(InputStream in) throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketException reset) {
            return true;
        }
    }

    /** One response with a {@code Content-Length} body, head and body as text. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return head + new String(body, StandardCharsets.US_ASCII);
    }
}
