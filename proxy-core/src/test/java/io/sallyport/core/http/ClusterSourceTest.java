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
}
