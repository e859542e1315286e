package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.sallyport.core.config.MeshTimeout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The small pure pieces: hop-by-hop rules, grpc-timeout, log format, gRPC messages, timeouts. */
class HttpHelpersTest {

    @Test
    void hopByHopHeadersAreRemovedAndTeTrailersKept() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Connection", "keep-alive, x-secret");
        h.add("x-secret", "1");
        h.add("Keep-Alive", "timeout=5");
        h.add("Proxy-Connection", "keep-alive");
        h.add("Transfer-Encoding", "chunked");
        h.add("Upgrade", "h2c");
        h.add("TE", "trailers, deflate;q=0.5");
        h.add("x-http2-stream-id", "3");
        h.add("x-keep", "yes");
        HopByHopHeaders.strip(h);
        assertThat(h.names()).containsExactlyInAnyOrder("te", "x-keep");
        assertThat(h.get("te")).isEqualTo("trailers");
        HttpHeaders noTrailers = new DefaultHttpHeaders().add("TE", "gzip");
        HopByHopHeaders.strip(noTrailers);
        assertThat(noTrailers.isEmpty()).isTrue();
        // Netty's map and the decoders' flat one (whose names are read straight from its array).
        for (HttpHeaders twoConnections : new HttpHeaders[] {new DefaultHttpHeaders(), FlatHttpHeadersFactory.HEADERS.newHeaders()}) {
            twoConnections.add("Connection", "x-a").add("Host", "h")
                    .add("connection", "close, x-b, host, te").add("x-a", "1").add("X-B", "2").add("te", "trailers")
                    .add("x-c", "3");
            HopByHopHeaders.strip(twoConnections);
            assertThat(twoConnections.names()).containsExactlyInAnyOrder("Host", "x-c");
        }
    }

    @Test
    void connectionOptionsOfAParsedResponseAreReadInPlace() {
        assertThat(keepAliveAfterStripping("\tKeep-Alive , x-secret,, HOST ,")).isTrue();
        assertThat(keepAliveAfterStripping("x-secret, Close")).isFalse();
        assertThat(keepAliveAfterStripping("closed, x-secret")).isTrue(); // "closed" is not the option: a header name
    }

    /** Strips a parsed HTTP/1.1 response whose {@code Connection} is {@code connection}; checks what stays. */
    private static boolean keepAliveAfterStripping(String connection) {
        String head = "HTTP/1.1 200 OK\r\nX-Secret: 1\r\nHost: h\r\nConnection: " + connection
                + "\r\nContent-Length: 0\r\nClosed: 2\r\n\r\n";
        ByteBuf in = Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII);
        HttpResponse r = new Http1ResponseHeadParser(FlatHttpHeadersFactory.HEADERS, 1024).parse(in);
        in.release();
        assertThat(r.headers().get("connection")).isEqualTo(connection.strip());
        boolean keepAlive = HopByHopHeaders.stripAndCheckKeepAlive(r);
        assertThat(r.headers().names()).doesNotContain("X-Secret", "Connection").contains("Host", "Content-Length");
        assertThat(r.headers().contains("closed")).isEqualTo(!connection.startsWith("closed"));
        return keepAlive;
    }

    @Test
    void grpcTimeoutUnits() {
        assertThat(GrpcTimeout.parseNanos("100m")).isEqualTo(100_000_000L);
        assertThat(GrpcTimeout.parseNanos("2S")).isEqualTo(2_000_000_000L);
        assertThat(GrpcTimeout.parseNanos("1H")).isEqualTo(3_600_000_000_000L);
        assertThat(GrpcTimeout.parseNanos("5u")).isEqualTo(5_000L);
        assertThat(GrpcTimeout.parseNanos("7n")).isEqualTo(7L);
        assertThat(GrpcTimeout.parseNanos("1M")).isEqualTo(60_000_000_000L);
        assertThat(GrpcTimeout.parseNanos(null)).isEqualTo(-1);
        assertThat(GrpcTimeout.parseNanos("123456789S")).isEqualTo(-1); // 9 digits: over gRPC's 8
        assertThat(GrpcTimeout.parseNanos("10x")).isEqualTo(-1);
        assertThat(GrpcTimeout.parseNanos("m")).isEqualTo(-1);
    }

    @Test
    void envoyDefaultLogLine() {
        HttpAccessLogEntry e = new HttpAccessLogEntry(Instant.parse("2026-01-02T03:04:05.678Z"), "POST", "/a?b=1",
                "HTTP/2", 503, "UF,URX", 12, 91, 7, -1, null, "curl/8", "rid-1", "api.example.com",
                "10.0.0.1:443", "mes-api", "127.0.0.1:5555");
        assertThat(EnvoyHttpLogFormat.format(e)).isEqualTo("[2026-01-02T03:04:05.678Z] \"POST /a?b=1 HTTP/2\" 503 UF,URX "
                + "12 91 7 - \"-\" \"curl/8\" \"rid-1\" \"api.example.com\" \"10.0.0.1:443\"");
        assertThat(EnvoyHttpLogFormat.json(e)).isEqualTo("{\"start_time\":\"2026-01-02T03:04:05.678Z\","
                + "\"method\":\"POST\",\"path\":\"/a?b=1\",\"protocol\":\"HTTP/2\",\"response_code\":503,"
                + "\"response_flags\":\"UF,URX\",\"bytes_received\":12,\"bytes_sent\":91,\"duration\":7,"
                + "\"upstream_service_time\":null,\"x_forwarded_for\":null,\"user_agent\":\"curl/8\","
                + "\"request_id\":\"rid-1\",\"authority\":\"api.example.com\",\"upstream_host\":\"10.0.0.1:443\","
                + "\"upstream_cluster\":\"mes-api\",\"downstream_remote_address\":\"127.0.0.1:5555\"}");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (StdoutHttpAccessLog log = new StdoutHttpAccessLog(
                new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8), false)) {
            log.log(e);
        }
        assertThat(bytes.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(EnvoyHttpLogFormat.format(e)
                + System.lineSeparator());
    }

    @Test
    void callerIdentityFollowsTheDefaultColumnsWhenThePeerWasVerified() {
        HttpAccessLogEntry e = new HttpAccessLogEntry(Instant.parse("2026-01-02T03:04:05.678Z"), "GET", "/",
                "HTTP/1.1", 200, "-", 0, 5, 3, 2, null, null, "rid-2", "web-api", "127.0.0.1:8080", "web-api",
                "127.0.0.1:5555", "spiffe://default/web");
        assertThat(EnvoyHttpLogFormat.format(e)).isEqualTo("[2026-01-02T03:04:05.678Z] \"GET / HTTP/1.1\" 200 - "
                + "0 5 3 2 \"-\" \"-\" \"rid-2\" \"web-api\" \"127.0.0.1:8080\" \"spiffe://default/web\" \"web-api\"");
        assertThat(EnvoyHttpLogFormat.json(e)).endsWith(",\"upstream_cluster\":\"web-api\","
                + "\"downstream_remote_address\":\"127.0.0.1:5555\",\"downstream_peer_uri_san\":\"spiffe://default/web\"}");
        io.netty.channel.embedded.EmbeddedChannel ch = new io.netty.channel.embedded.EmbeddedChannel();
        assertThat(DownstreamPeer.uriSan(ch)).isNull();
        ch.attr(DownstreamPeer.URI_SAN).set("spiffe://default/web");
        assertThat(DownstreamPeer.uriSan(ch)).isEqualTo("spiffe://default/web");
        ch.finishAndReleaseAll();
    }

    @Test
    void grpcMessageIsPercentEncoded() {
        assertThat(LocalReplies.percentEncode("no healthy upstream")).isEqualTo("no healthy upstream");
        assertThat(LocalReplies.percentEncode("50% é\n")).isEqualTo("50%25 %C3%A9%0A");
        assertThat(LocalReplies.grpcStatusFor(504)).isEqualTo(4);
        assertThat(LocalReplies.grpcStatusFor(503)).isEqualTo(14);
    }

    @Test
    void timeoutsFromMeshTimeoutTakeKumaDefaultsForUnsetFields() {
        HttpTimeouts t = HttpTimeouts.from(new MeshTimeout.Timeouts(null, null, Duration.ofSeconds(3), null, null));
        assertThat(t).isEqualTo(new HttpTimeouts(Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofSeconds(3),
                Duration.ofMinutes(30), Duration.ZERO));
        assertThat(HttpTimeouts.KUMA_DEFAULTS.requestTimeout()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void endpointAuthorityOmitsDefaultPorts() {
        assertThat(UpstreamEndpoint.plain("httpbin.org", 80).authority()).isEqualTo("httpbin.org");
        assertThat(UpstreamEndpoint.plain("httpbin.org", 8080).authority()).isEqualTo("httpbin.org:8080");
        assertThat(ProxyExchange.hostOf("[::1]:8080")).isEqualTo("::1");
        assertThat(ProxyExchange.hostOf("a.example.com:80")).isEqualTo("a.example.com");
    }

    @Test
    void keepAliveMatchesNettysAnswer() {
        String[][] cases = {{}, {"keep-alive"}, {"Keep-Alive"}, {"close"}, {"CLOSE"}, {"keep-alive", "close"},
            {"close, keep-alive"}, {"keep-alive, x-foo"}, {"upgrade"}, {"x-foo"}};
        for (io.netty.handler.codec.http.HttpVersion v : new io.netty.handler.codec.http.HttpVersion[] {
            io.netty.handler.codec.http.HttpVersion.HTTP_1_0, io.netty.handler.codec.http.HttpVersion.HTTP_1_1}) {
            for (String[] values : cases) {
                io.netty.handler.codec.http.HttpResponse r = new io.netty.handler.codec.http.DefaultHttpResponse(v,
                        io.netty.handler.codec.http.HttpResponseStatus.OK);
                for (String value : values) {
                    r.headers().add("connection", value);
                }
                assertThat(HopByHopHeaders.isKeepAlive(r)).as(v + " " + java.util.Arrays.toString(values))
                        .isEqualTo(io.netty.handler.codec.http.HttpUtil.isKeepAlive(r));
                boolean netty = io.netty.handler.codec.http.HttpUtil.isKeepAlive(r);
                assertThat(HopByHopHeaders.stripAndCheckKeepAlive(r)).as("strip " + v + " " + java.util.Arrays.toString(values))
                        .isEqualTo(netty);
                assertThat(r.headers().contains("connection")).isFalse();
            }
        }
    }

    @Test
    void quotedFieldsStayOnOneLine() {
        HttpAccessLogEntry e = new HttpAccessLogEntry(Instant.parse("2026-01-02T03:04:05.678Z"), "GET", "/",
                "HTTP/1.1", 200, "-", 0, 5, 3, 2, null, "a \"b\"\nc\td", "rid", "h", null, "c", null);
        assertThat(EnvoyHttpLogFormat.format(e)).endsWith("\"-\" \"a 'b' c d\" \"rid\" \"h\" \"-\"");
    }
}
