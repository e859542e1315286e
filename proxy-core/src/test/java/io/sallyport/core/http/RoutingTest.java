package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.core.metrics.Stats;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-request routing by authority (HTTP MeshPassthrough) and HTTP/2 request limits. */
class RoutingTest {

    @Test
    void eachRequestIsRoutedByHostAndUnmatchedDomainsGet503NamingThem() throws Exception {
        try (TestOrigin a = new TestOrigin(false); TestOrigin b = new TestOrigin(true)) {
            Stats stats = new Stats();
            HttpCluster ca = new HttpCluster("a.example.com", UpstreamHttpProtocol.HTTP1,
                    new DirectUpstreamChannelSource(List.of(a.endpoint())), HttpTimeouts.KUMA_DEFAULTS,
                    new HttpClusterStats(stats, "a.example.com"));
            HttpCluster cb = new HttpCluster("b.example.com", UpstreamHttpProtocol.HTTP2,
                    new DirectUpstreamChannelSource(List.of(b.endpoint())), HttpTimeouts.KUMA_DEFAULTS,
                    new HttpClusterStats(stats, "b.example.com"));
            try (ProxyHarness p = new ProxyHarness(authority -> switch (ProxyExchange.hostOf(authority)) {
                case "a.example.com" -> HttpRoute.to(ca);
                case "b.example.com" -> HttpRoute.to(cb);
                default -> null;
            })) {
                String url = p.url("/headers");
                Http2ProxyTest.Result ra = Http2ProxyTest.run("curl", "-sS", "--max-time", "10", "-H",
                        "Host: a.example.com:8080", url);
                assertThat(ra.out()).contains("host: 127.0.0.1:" + a.port());
                Http2ProxyTest.Result rb = Http2ProxyTest.run("curl", "-sS", "--max-time", "10",
                        "--http2-prior-knowledge", "-H", "Host: b.example.com", url);
                assertThat(rb.out()).contains("host: 127.0.0.1:" + b.port());
                Http2ProxyTest.Result miss = Http2ProxyTest.run("curl", "-sS", "-i", "--max-time", "10", "-H",
                        "Host: evil.example.org", url);
                assertThat(miss.out()).startsWith("HTTP/1.1 503").contains("no route for domain evil.example.org");
                assertThat(p.awaitEntry(e -> "evil.example.org".equals(e.authority())).responseFlags()).isEqualTo("NR");
                assertThat(a.connections.get()).isEqualTo(1);
            } finally {
                ca.close();
                cb.close();
            }
        }
    }

    @Test
    void aForbiddenRouteAnswers403AndGrpcPermissionDeniedWithoutAnUpstreamConnection() throws Exception {
        try (TestOrigin o = new TestOrigin(false)) {
            HttpCluster c = new HttpCluster("mes-locked", UpstreamHttpProtocol.HTTP1,
                    new DirectUpstreamChannelSource(List.of(o.endpoint())), HttpTimeouts.KUMA_DEFAULTS,
                    new HttpClusterStats(new Stats(), "mes-locked"));
            HttpRoute forbidden = HttpRoute.to(c).forbid();
            assertThat(forbidden.forbidden()).isTrue();
            try (ProxyHarness p = new ProxyHarness(authority -> forbidden)) {
                Http2ProxyTest.Result http = Http2ProxyTest.run("curl", "-sS", "-i", "--max-time", "10", p.url("/x"));
                assertThat(http.out()).startsWith("HTTP/1.1 403").contains("RBAC: access denied");
                assertThat(p.awaitEntry(e -> "/x".equals(e.path())).responseFlags()).isEqualTo("RBAC");
                Http2ProxyTest.Result grpc = Http2ProxyTest.run("curl", "-sS", "-i", "--max-time", "10",
                        "--http2-prior-knowledge", "-X", "POST", "-H", "content-type: application/grpc",
                        "-H", "te: trailers", "--data-binary", "", p.url("/test.Echo/Unary"));
                assertThat(grpc.out()).startsWith("HTTP/2 200").contains("grpc-status: 7");
                assertThat(o.connections.get()).isZero();
            } finally {
                c.close();
            }
        }
    }

    @Test
    void http2RequestHeadersOverTheLimitAreRefused() throws Exception {
        try (TestOrigin o = new TestOrigin(false);
             ProxyHarness p = new ProxyHarness("mes-limits", UpstreamHttpProtocol.HTTP1, HttpTimeouts.KUMA_DEFAULTS,
                     List.of(o.endpoint()))) {
            Http2ProxyTest.Result big = Http2ProxyTest.run("curl", "-sS", "-i", "--max-time", "10",
                    "--http2-prior-knowledge", "-H", "x-big: " + "a".repeat(62 * 1024), p.url("/"));
            // (62 KiB: over our 60 KiB limit, under the 64 KiB nghttp2 clients accept to send.)
            assertThat(big.out()).startsWith("HTTP/2 431");
            List<String> cmd = new java.util.ArrayList<>(List.of("curl", "-sS", "-i", "--max-time", "10",
                    "--http2-prior-knowledge"));
            for (int i = 0; i < 120; i++) {
                cmd.add("-H");
                cmd.add("x-h" + i + ": v");
            }
            cmd.add(p.url("/"));
            Http2ProxyTest.Result many = Http2ProxyTest.run(cmd.toArray(String[]::new));
            assertThat(many.out()).startsWith("HTTP/2 431");
            Http2ProxyTest.Result ok = Http2ProxyTest.run("curl", "-sS", "-i", "--max-time", "10",
                    "--http2-prior-knowledge", p.url("/"));
            assertThat(ok.out()).startsWith("HTTP/2 200");
        }
    }
}
