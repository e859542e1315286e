package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.core.cluster.Cluster;
import io.sallyport.core.cluster.ClusterSpec;
import io.sallyport.core.cluster.Endpoint;
import io.sallyport.core.cluster.EndpointResolver;
import io.sallyport.core.cluster.PriorityLevel;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.transport.Transport;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cluster module's endpoints (priorities, DNS names) behind the HTTP connection manager. */
class ClusterSourceTest {

    @Test
    void dnsEndpointAndPriorityFailoverThroughACompiledCluster() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        Transport transport = ProxyHarness.useEpoll() ? Transport.platform() : Transport.nio();
        try (TestOrigin origin = new TestOrigin(false);
             EndpointResolver resolver = EndpointResolver.system(transport)) {
            Stats stats = new Stats();
            ClusterSpec spec = new ClusterSpec("mes-dns", "default", List.of(
                    new PriorityLevel(0, List.of(new Endpoint.Ip(InetAddress.getByName("127.0.0.1"), deadPort))),
                    new PriorityLevel(1, List.of(new Endpoint.DnsName("localhost", origin.port())))),
                    Duration.ofSeconds(2), Duration.ofHours(1), 5, null);
            Cluster cluster = Cluster.create(spec, stats, null);
            HttpCluster http = new HttpCluster("mes-dns", UpstreamHttpProtocol.HTTP1,
                    new ClusterUpstreamChannelSource(cluster, transport, resolver, null), HttpTimeouts.KUMA_DEFAULTS,
                    new HttpClusterStats(stats, "mes-dns"));
            try (ProxyHarness proxy = new ProxyHarness(a -> HttpRoute.to(http))) {
                Http2ProxyTest.Result r = Http2ProxyTest.run("curl", "-sS", "--max-time", "10", proxy.url("/headers"));
                // autoHostRewrite uses the endpoint's DNS name.
                assertThat(r.out()).contains("host: localhost:" + origin.port());
                HttpAccessLogEntry e = proxy.awaitEntry(x -> x.path().equals("/headers"));
                assertThat(e.responseCode()).isEqualTo(200);
                assertThat(e.responseFlags()).isEqualTo("URX");
                assertThat(stats.counterValue("envoy_cluster_upstream_cx_connect_fail", "envoy_cluster_name", "mes-dns"))
                        .isEqualTo(1);
            } finally {
                http.close();
            }
        }
    }

    @Test
    void attemptOrdersRotateOverPrebuiltEndpoints() throws Exception {
        Transport transport = Transport.nio();
        try (EndpointResolver resolver = EndpointResolver.system(transport)) {
            InetAddress lo = InetAddress.getByName("127.0.0.1");
            Endpoint a = new Endpoint.Ip(lo, 1001);
            Endpoint b = new Endpoint.Ip(lo, 1002);
            Endpoint c = new Endpoint.Ip(lo, 1003);
            Endpoint d = new Endpoint.DnsName("localhost", 1004);

            // One level of three, at most two attempts: round-robin starts, the same objects every time.
            ClusterUpstreamChannelSource one = source(transport, resolver,
                    List.of(new PriorityLevel(0, List.of(a, b, c))), 2);
            List<List<Integer>> orders = new java.util.ArrayList<>();
            List<UpstreamEndpoint> first = one.endpoints();
            for (int i = 0; i < 6; i++) {
                List<UpstreamEndpoint> eps = i == 0 ? first : one.endpoints();
                orders.add(eps.stream().map(UpstreamEndpoint::port).toList());
            }
            assertThat(orders).containsExactly(List.of(1001, 1002), List.of(1002, 1003), List.of(1003, 1001),
                    List.of(1001, 1002), List.of(1002, 1003), List.of(1003, 1001));
            assertThat(one.endpoints().get(0)).isSameAs(first.get(0));
            assertThat(first.get(0).describe()).isEqualTo("127.0.0.1:1001");
            assertThat(first.get(0).authority()).isEqualTo("127.0.0.1:1001");

            // One endpoint per level: the priority order, capped by the attempts.
            ClusterUpstreamChannelSource levels = source(transport, resolver, List.of(
                    new PriorityLevel(0, List.of(a)), new PriorityLevel(1, List.of(d)),
                    new PriorityLevel(2, List.of(c))), 2);
            assertThat(levels.endpoints()).extracting(UpstreamEndpoint::describe)
                    .containsExactly("127.0.0.1:1001", "localhost:1004");

            // Mixed levels: per-level round-robin, then the next level.
            ClusterUpstreamChannelSource mixed = source(transport, resolver, List.of(
                    new PriorityLevel(0, List.of(a, b)), new PriorityLevel(1, List.of(c))), 5);
            assertThat(mixed.endpoints()).extracting(UpstreamEndpoint::port).containsExactly(1001, 1002, 1003);
            assertThat(mixed.endpoints()).extracting(UpstreamEndpoint::port).containsExactly(1002, 1001, 1003);
        }
    }

    @Test
    void endpointsAreValuesWithIdentityFastPath() {
        UpstreamEndpoint x = UpstreamEndpoint.plain("example.com", 8080);
        UpstreamEndpoint y = UpstreamEndpoint.plain("example.com", 8080);
        assertThat(x).isEqualTo(y).hasSameHashCodeAs(y).isNotEqualTo(UpstreamEndpoint.plain("example.com", 8081));
        assertThat(x.authority()).isEqualTo("example.com:8080");
        assertThat(UpstreamEndpoint.plain("example.com", 80).authority()).isEqualTo("example.com");
        assertThat(UpstreamEndpoint.plain("::1", 8080).authority()).isEqualTo("[::1]:8080");
    }

    private static ClusterUpstreamChannelSource source(Transport transport, EndpointResolver resolver,
                                                       List<PriorityLevel> levels, int attempts) {
        ClusterSpec spec = new ClusterSpec("mes-order", "default", levels, Duration.ofSeconds(1), Duration.ofHours(1),
                attempts, null);
        return new ClusterUpstreamChannelSource(Cluster.create(spec, new Stats(), null), transport, resolver, null);
    }
}
