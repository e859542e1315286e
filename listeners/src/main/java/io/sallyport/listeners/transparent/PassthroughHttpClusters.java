package io.sallyport.listeners.transparent;

import io.sallyport.core.cluster.Cluster;
import io.sallyport.core.cluster.ClusterSpec;
import io.sallyport.core.cluster.Endpoint;
import io.sallyport.core.cluster.PriorityLevel;
import io.sallyport.core.config.MeshPassthrough;
import io.sallyport.core.http.ClusterUpstreamChannelSource;
import io.sallyport.core.http.HttpCluster;
import io.sallyport.core.http.HttpClusterStats;
import io.sallyport.core.http.HttpRoute;
import io.sallyport.core.http.HttpTimeouts;
import io.sallyport.core.http.UpstreamHttpProtocol;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.relay.ListenerStats;
import io.sallyport.core.transport.Transport;
import io.sallyport.core.upstream.UpstreamConnector;
import io.sallyport.sni.sniff.SniffedProtocol;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP side of MeshPassthrough for one snapshot: routes each request of a passthrough HTTP connection
 * by its {@code Host}/{@code :authority} through the {@link PassthroughTable}, to an {@link HttpCluster}
 * per matched rule and upstream (a {@code Domain} rule: the request's host, resolved, at the original
 * port; an {@code IP}/{@code CIDR} rule: the original destination). The {@code Host} header is kept as the
 * client sent it. Clusters are cached (at most {@link #MAX_CLUSTERS}, least recently used closed first)
 * and closed when the snapshot is retired and its last connection ended.
 */
final class PassthroughHttpClusters {

    /** Bound on cached clusters: wildcard domains could otherwise grow the cache without end. */
    static final int MAX_CLUSTERS = 1024;

    private final PassthroughTable table;
    private final String mesh;
    private final ListenerStats listenerStats;
    private final Transport transport;
    private final UpstreamConnector connector;
    private final Stats stats;
    private final Map<Key, HttpCluster> clusters = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, HttpCluster> eldest) {
            if (size() > MAX_CLUSTERS) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };
    /** The snapshot's own hold plus one per live HTTP connection. */
    private final AtomicInteger users = new AtomicInteger(1);
    private boolean closed;

    /** Kuma's defaults (passthrough traffic has no MeshTimeout of its own). */
    private static final HttpTimeouts TIMEOUTS = new HttpTimeouts(TransparentRouting.CONNECT_TIMEOUT,
            HttpTimeouts.KUMA_DEFAULTS.idleTimeout(), HttpTimeouts.KUMA_DEFAULTS.requestTimeout(),
            HttpTimeouts.KUMA_DEFAULTS.streamIdleTimeout(), HttpTimeouts.KUMA_DEFAULTS.maxStreamDuration());

    private record Key(PassthroughRoute route, String host, InetSocketAddress original) {
    }

    PassthroughHttpClusters(PassthroughTable table, String mesh, ListenerStats listenerStats, Transport transport,
                            UpstreamConnector connector, Stats stats) {
        this.listenerStats = listenerStats;
        this.table = table;
        this.mesh = mesh;
        this.transport = transport;
        this.connector = connector;
        this.stats = stats;
    }

    /**
     * The route of one request to a connection originally dialed to {@code original}, or {@code null} (the
     * client gets 503 naming the domain, counted in {@code envoy_listener_no_filter_chain_match}) when no
     * http/http2/grpc rule matches its host.
     */
    HttpRoute route(SniffedProtocol protocol, InetSocketAddress original, String authority) {
        String host = hostOf(authority);
        PassthroughRoute route = table.match(protocol, original.getPort(),
                original.getAddress().getAddress(), host);
        if (route == null || route.match() == null || !route.match().protocol().isHttp()) {
            // As a refused connection is: the request gets no upstream (the client sees 503 naming the host).
            listenerStats.noFilterChainMatch().increment();
            return null;
        }
        Key key = route.toDomain() ? new Key(route, host, null) : new Key(route, null, original);
        HttpCluster cluster;
        synchronized (clusters) {
            if (closed) {
                return null;
            }
            cluster = clusters.get(key);
            if (cluster == null) {
                cluster = create(route, key, original.getPort());
                clusters.put(key, cluster);
            }
        }
        return new HttpRoute(cluster, cluster.timeouts(), false);
    }

    private HttpCluster create(PassthroughRoute route, Key key, int port) {
        Endpoint endpoint = key.host() != null ? new Endpoint.DnsName(key.host(), port)
                : new Endpoint.Ip(key.original().getAddress(), port);
        ClusterSpec spec = new ClusterSpec(route.clusterName(), mesh,
                List.of(new PriorityLevel(0, List.of(endpoint))), TransparentRouting.CONNECT_TIMEOUT,
                ClusterSpec.DEFAULT_IDLE_TIMEOUT, ClusterSpec.DEFAULT_MAX_CONNECT_ATTEMPTS, null);
        Cluster cluster = new Cluster(spec, route.stats(), null);
        MeshPassthrough.AppendMatch m = route.match();
        return new HttpCluster(route.clusterName(), UpstreamHttpProtocol.of(m.protocol()),
                new ClusterUpstreamChannelSource(cluster, transport, connector.resolver(), null, connector.socketMark()),
                TIMEOUTS,
                new HttpClusterStats(stats, route.clusterName()));
    }

    /** The host of an authority, without port or trailing dot, lower case; {@code null} when empty. */
    static String hostOf(String authority) {
        if (authority == null || authority.isEmpty()) {
            return null;
        }
        String h = authority;
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            h = end < 0 ? h : h.substring(1, end);
        } else {
            int colon = h.lastIndexOf(':');
            if (colon >= 0 && h.indexOf(':') == colon) {
                h = h.substring(0, colon);
            }
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h.isEmpty() ? null : h.toLowerCase(Locale.ROOT);
    }

    /** A connection starts using these clusters; pair with {@link #release}. */
    void retain() {
        users.incrementAndGet();
    }

    void release() {
        if (users.decrementAndGet() == 0) {
            List<HttpCluster> all;
            synchronized (clusters) {
                closed = true;
                all = new ArrayList<>(clusters.values());
                clusters.clear();
            }
            all.forEach(HttpCluster::close);
        }
    }
}
