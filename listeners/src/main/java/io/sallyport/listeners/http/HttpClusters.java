package io.sallyport.listeners.http;

import io.sallyport.core.cluster.Cluster;
import io.sallyport.core.cluster.ClusterSpec;
import io.sallyport.core.cluster.ClusterTable;
import io.sallyport.core.http.ClusterUpstreamChannelSource;
import io.sallyport.core.http.HttpCluster;
import io.sallyport.core.http.HttpClusterStats;
import io.sallyport.core.http.HttpTimeouts;
import io.sallyport.core.http.UpstreamHttpProtocol;
import io.sallyport.core.config.MeshTimeout;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.runtime.ListenerSpec;
import io.sallyport.core.transport.Transport;
import io.sallyport.core.upstream.UpstreamConnector;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link HttpCluster}s of one snapshot: one per MeshExternalService whose listeners speak http, http2
 * or grpc and that the sidecar reaches directly (not through a zone egress). A cluster whose runtime {@link Cluster} (same spec) and protocol are unchanged by a reload is
 * kept with its pooled connections; a cluster that is replaced or removed is closed once the
 * downstream connections that still use it have ended ({@link Lease}).
 */
public final class HttpClusters {

    /** No HTTP clusters. */
    public static final HttpClusters EMPTY = new HttpClusters(Map.of());

    private final Map<String, Lease> byName;

    private HttpClusters(Map<String, Lease> byName) {
        this.byName = Map.copyOf(byName);
    }

    /** How an {@link HttpCluster} is made from a runtime cluster (tests give their own). */
    @FunctionalInterface
    public interface Factory {
        HttpCluster create(Cluster cluster, UpstreamHttpProtocol protocol);
    }

    /** The standard factory: the cluster's endpoints and resolver, its TLS with ALPN, its MeshTimeout. */
    public static Factory factory(Transport transport, UpstreamConnector connector, Stats stats, HttpUpstreamTls tls) {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(connector, "connector");
        Objects.requireNonNull(stats, "stats");
        Objects.requireNonNull(tls, "tls");
        return (cluster, protocol) -> new HttpCluster(cluster.name(), protocol,
                new ClusterUpstreamChannelSource(cluster, transport, connector.resolver(),
                        tls.forCluster(cluster, protocol), connector.socketMark()),
                timeouts(cluster.spec()), new HttpClusterStats(stats, cluster.name()));
    }

    /** The HTTP timeouts of a cluster: its connect and idle timeouts, the rest of its MeshTimeout. */
    public static HttpTimeouts timeouts(ClusterSpec spec) {
        MeshTimeout.Timeouts t = spec.meshTimeouts();
        return new HttpTimeouts(spec.connectTimeout(), spec.idleTimeout(), t.requestTimeout(),
                t.streamIdleTimeout(), t.maxStreamDuration());
    }

    /**
     * The HTTP clusters of {@code listeners} (those with an HTTP protocol), reusing {@code previous}'s
     * where the runtime cluster and protocol are the same. Call {@link #retireReplaced} on {@code previous}
     * once the result is in use.
     */
    public static HttpClusters build(Collection<ListenerSpec> listeners, ClusterTable clusters,
                                     HttpClusters previous, Factory factory) {
        Map<String, Lease> out = new HashMap<>();
        for (ListenerSpec l : listeners) {
            if (!isHttp(l) || out.containsKey(l.cluster())) {
                continue;
            }
            Cluster cluster = clusters.get(l.cluster());
            if (cluster == null || cluster.spec().viaZoneEgress() != null) {
                // Through a zone egress the sidecar relays the bytes in its mTLS tunnel; the egress speaks HTTP.
                continue;
            }
            UpstreamHttpProtocol protocol = UpstreamHttpProtocol.of(l.protocol());
            Lease old = previous == null ? null : previous.byName.get(l.cluster());
            if (old != null && old.cluster == cluster && old.http.protocol() == protocol) {
                out.put(l.cluster(), old);
            } else {
                out.put(l.cluster(), new Lease(cluster, factory.create(cluster, protocol)));
            }
        }
        return new HttpClusters(out);
    }

    /** Whether a listener's connections go through the HTTP connection manager. */
    public static boolean isHttp(ListenerSpec l) {
        return l.protocol().isHttp();
    }

    /** The lease of the HTTP cluster named {@code name}, or {@code null}. */
    public Lease get(String name) {
        return byName.get(name);
    }

    /** Retires this table's clusters that {@code next} does not keep: each closes when its last user ends. */
    public void retireReplaced(HttpClusters next) {
        for (Map.Entry<String, Lease> e : byName.entrySet()) {
            if (next.byName.get(e.getKey()) != e.getValue()) {
                e.getValue().retire();
            }
        }
    }

    /** Retires every cluster (the manager closes). */
    public void retireAll() {
        byName.values().forEach(Lease::retire);
    }

    /** The HTTP clusters by name (for tests and the admin pages). */
    public Map<String, HttpCluster> asMap() {
        Map<String, HttpCluster> m = new HashMap<>();
        byName.forEach((k, v) -> m.put(k, v.http));
        return m;
    }

    /**
     * One HTTP cluster with a count of its users: the snapshot that lists it is one, every downstream
     * connection accepted while it was current is one more. It is closed when the count reaches zero.
     */
    public static final class Lease {
        private final Cluster cluster;
        private final HttpCluster http;
        /** Starts at one: the snapshot's own hold, dropped by {@link #retire}. */
        private final AtomicInteger users = new AtomicInteger(1);
        private volatile boolean retired;
        private volatile boolean closed;

        Lease(Cluster cluster, HttpCluster http) {
            this.cluster = cluster;
            this.http = http;
        }

        public HttpCluster http() {
            return http;
        }

        /** A new downstream connection uses the cluster; pair with {@link #release}. */
        public void retain() {
            users.incrementAndGet();
        }

        public void release() {
            if (users.decrementAndGet() == 0) {
                closed = true;
                http.close();
            }
        }

        /** Whether the cluster was closed (retired, and its last connection ended). */
        public boolean closed() {
            return closed;
        }

        void retire() {
            if (!retired) {
                retired = true;
                release();
            }
        }
    }
}
