package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HTTP/1.1 clients through the proxy to an HTTP/1.1 origin: keep-alive, pooling, headers, errors. */
class Http1ProxyTest {

    private static TestOrigin origin;
    private static ProxyHarness proxy;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        origin = new TestOrigin(false);
        proxy = new ProxyHarness("mes-http", UpstreamHttpProtocol.HTTP1, HttpTimeouts.KUMA_DEFAULTS
                .withRequestTimeout(Duration.ofSeconds(1)), List.of(origin.endpoint()));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        proxy.close();
        origin.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(proxy.url(path))).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void getIsProxiedWithRewrittenHostRequestIdAndNoHopByHopHeaders() throws Exception {
        String body = rawExchange("GET /headers HTTP/1.1\r\nHost: client.example\r\nx-custom: 1\r\n"
                + "x-drop-me: secret\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\n"
                + "TE: trailers, deflate\r\nConnection: close, x-drop-me\r\n\r\n");
        assertThat(body).startsWith("HTTP/1.1 200").contains("x-origin: yes");
        assertThat(body).contains("te: trailers\n").doesNotContain("keep-alive: ").doesNotContain("proxy-connection");
        assertThat(body).contains("x-custom: 1");
        assertThat(body).contains("host: 127.0.0.1:" + origin.port());
        assertThat(body).containsPattern("x-request-id: [0-9a-f-]{36}");
        assertThat(body).doesNotContain("x-drop-me").doesNotContain("x-http2");
    }

    @Test
    void sequentialRequestsReuseOnePooledUpstreamConnection() throws Exception {
        int before = origin.connections.get();
        for (int i = 0; i < 20; i++) {
            assertThat(get("/status/200").statusCode()).isEqualTo(200);
        }
        // One client connection, kept alive; one pooled upstream connection serving all 20 requests.
        assertThat(origin.connections.get() - before).isLessThanOrEqualTo(1);
        assertThat(proxy.stats.counterValue("envoy_cluster_upstream_rq", "envoy_cluster_name", "mes-http",
                "envoy_response_code", "200")).isGreaterThanOrEqualTo(20);
        // Each answered request is timed in Envoy's upstream_rq_time histogram.
        assertThat(proxy.stats.histogramValue("envoy_cluster_upstream_rq_time", "envoy_cluster_name", "mes-http")
                .count()).isGreaterThanOrEqualTo(20);
    }

    @Test
    void requestOverTimeoutGets504AfterAboutTheTimeout() throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = get("/delay/5000");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(r.body()).contains("upstream request timeout");
        assertThat(ms).isBetween(900L, 3000L);
        assertThat(proxy.stats.counterValue("envoy_cluster_upstream_rq_timeout", "envoy_cluster_name", "mes-http"))
                .isGreaterThanOrEqualTo(1);
        HttpAccessLogEntry e = proxy.awaitEntry(x -> x.path().equals("/delay/5000"));
        assertThat(e.responseCode()).isEqualTo(504);
        assertThat(e.responseFlags()).isEqualTo("UT");
        assertThat(e.upstreamHost()).isEqualTo("127.0.0.1:" + origin.port());
        assertThat(EnvoyHttpLogFormat.format(e)).matches(
                "\\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\] \"GET /delay/5000 HTTP/1.1\" 504 UT 0 24 \\d+ - "
                + "\"-\" \"Java-http-client/[^\"]+\" \"[0-9a-f-]{36}\" \"127.0.0.1:\\d+\" \"127.0.0.1:\\d+\"");
    }

    @Test
    void malformedUpstreamResponseGets502() throws Exception {
        HttpResponse<String> r = get("/malformed");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(proxy.awaitEntry(e -> e.path().equals("/malformed")).responseFlags()).isEqualTo("UPE");
    }

    @Test
    void closeDelimitedUpstreamBodyIsRelayedChunked() throws Exception {
        HttpResponse<String> r = get("/nolength");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("until close");
    }

    @Test
    void upstreamCutMidResponseIsNotASuccess() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> get("/cut")).isInstanceOf(IOException.class);
    }

    @Test
    void trailersAndChunkedBodiesPass() throws Exception {
        String raw = rawExchange("GET /trailers HTTP/1.1\r\nHost: x\r\nTE: trailers\r\nConnection: close\r\n\r\n");
        assertThat(raw).startsWith("HTTP/1.1 200");
        assertThat(raw.toLowerCase()).contains("transfer-encoding: chunked").contains("x-trailer: yes");
    }

    @Test
    void headRequestGetsNoBody() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(proxy.url("/bytes/1000")))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void expectContinueIsAnsweredAndBodyForwarded() throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /sink HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String interim = readUntil(in, "\r\n\r\n");
            assertThat(interim).startsWith("HTTP/1.1 100");
            out.write("hello".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String resp = readUntil(in, "\r\n\r\n");
            assertThat(resp).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void tooLargeRequestHeadersGet431() throws Exception {
        String big = "a".repeat(70 * 1024);
        String raw = rawExchange("GET / HTTP/1.1\r\nHost: x\r\nx-big: " + big + "\r\n\r\n");
        assertThat(raw).startsWith("HTTP/1.1 431");
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 120; i++) {
            many.append("x-h").append(i).append(": v\r\n");
        }
        assertThat(rawExchange(many.append("\r\n").toString())).startsWith("HTTP/1.1 431");
    }

    @Test
    void malformedRequestGets400() throws Exception {
        assertThat(rawExchange("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n")).startsWith("HTTP/1.1 400");
    }

    @Test
    void http10ClientGetsAnAnswerAndTheConnectionCloses() throws Exception {
        String raw = rawExchange("GET /nolength HTTP/1.0\r\nHost: x\r\n\r\n");
        assertThat(raw).startsWith("HTTP/1.1 200").endsWith("until close");
    }

    @Test
    void curlKeepAliveAndPipeline() throws Exception {
        Process p = new ProcessBuilder("curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{http_code}\\n",
                proxy.url("/status/200"), proxy.url("/status/201"), proxy.url("/headers"))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        assertThat(out.trim().split("\n")).containsExactly("200", "201", "200");
    }

    static String rawExchange(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static String readUntil(InputStream in, String end) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            b.append((char) c);
            if (b.length() >= end.length() && b.substring(b.length() - end.length()).equals(end)) {
                break;
            }
        }
        return b.toString();
    }
}
