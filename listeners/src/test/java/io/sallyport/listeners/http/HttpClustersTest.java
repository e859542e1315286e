package io.sallyport.listeners.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.core.cluster.ClusterSpec;
import io.sallyport.core.cluster.ClusterTable;
import io.sallyport.core.cluster.Endpoint;
import io.sallyport.core.cluster.PriorityLevel;
import io.sallyport.core.config.MeshTimeout;
import io.sallyport.core.config.Protocol;
import io.sallyport.core.http.DirectUpstreamChannelSource;
import io.sallyport.core.http.HttpCluster;
import io.sallyport.core.http.HttpClusterStats;
import io.sallyport.core.http.UpstreamEndpoint;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.runtime.ListenerSpec;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-snapshot HTTP clusters: kept across reloads that keep the cluster, closed after their last user. */
class HttpClustersTest {

    private final Stats stats = new Stats();
    private final List<HttpCluster> created = new ArrayList<>();
    private final HttpClusters.Factory factory = (cluster, protocol) -> {
        HttpCluster c = new HttpCluster(cluster.name(), protocol,
                new DirectUpstreamChannelSource(List.of(UpstreamEndpoint.plain(new InetSocketAddress("127.0.0.1", 9)))),
                HttpClusters.timeouts(cluster.spec()), new HttpClusterStats(stats, cluster.name()));
        created.add(c);
        return c;
    };

    private static ClusterSpec spec(String name, int port) {
        return new ClusterSpec(name, "default", List.of(new PriorityLevel(0,
                List.of(new Endpoint.Ip(new InetSocketAddress("127.0.0.1", port).getAddress(), port)))),
                Duration.ofSeconds(2), Duration.ofMinutes(5), 3, null, null, null,
                new MeshTimeout.Timeouts(null, null, Duration.ofSeconds(1), null, null));
    }

    private static ListenerSpec listener(int port, String cluster, Protocol protocol) {
        return new ListenerSpec("l" + port, ListenerSpec.Kind.OUTBOUND, new InetSocketAddress("127.0.0.1", port),
                cluster, protocol, false);
    }

    @Test
    void onlyHttpListenersGetClustersWithTheirMeshTimeouts() {
        ClusterTable table = ClusterTable.build(List.of(spec("web", 80), spec("db", 5432)), stats, null, null);
        HttpClusters http = HttpClusters.build(List.of(listener(1, "web", Protocol.HTTP2),
                listener(2, "db", Protocol.TCP)), table, null, factory);

        assertThat(http.asMap()).containsOnlyKeys("web");
        HttpCluster web = http.get("web").http();
        assertThat(web.protocol()).isEqualTo(io.sallyport.core.http.UpstreamHttpProtocol.HTTP2);
        assertThat(web.timeouts().connectionTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(web.timeouts().idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(web.timeouts().requestTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(web.timeouts().streamIdleTimeout()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void aReloadKeepsUnchangedClustersAndClosesReplacedOnesAfterTheirLastConnection() {
        ClusterTable t1 = ClusterTable.build(List.of(spec("a", 80), spec("b", 81)), stats, null, null);
        HttpClusters h1 = HttpClusters.build(List.of(listener(1, "a", Protocol.HTTP), listener(2, "b", Protocol.HTTP)),
                t1, null, factory);
        HttpClusters.Lease a1 = h1.get("a");
        HttpClusters.Lease b1 = h1.get("b");
        b1.retain(); // a live downstream connection on b

        // b's endpoint changes; a is untouched.
        ClusterTable t2 = ClusterTable.build(List.of(spec("a", 80), spec("b", 82)), stats, null, t1);
        HttpClusters h2 = HttpClusters.build(List.of(listener(1, "a", Protocol.HTTP), listener(2, "b", Protocol.HTTP)),
                t2, h1, factory);
        h1.retireReplaced(h2);

        assertThat(h2.get("a")).isSameAs(a1);
        assertThat(h2.get("b")).isNotSameAs(b1);
        assertThat(created).hasSize(3);
        assertThat(a1.closed()).isFalse();
        assertThat(b1.closed()).as("still used by a connection").isFalse();
        b1.release();
        assertThat(b1.closed()).isTrue();

        // The protocol changes: a new cluster even though the runtime cluster is the same.
        HttpClusters h3 = HttpClusters.build(List.of(listener(1, "a", Protocol.GRPC)), t2, h2, factory);
        h2.retireReplaced(h3);
        assertThat(h3.get("a")).isNotSameAs(a1);
        assertThat(a1.closed()).isTrue();
        assertThat(h2.get("b").closed()).as("removed with no connection").isTrue();
        h3.retireAll();
        assertThat(h3.get("a").closed()).isTrue();
    }
}
