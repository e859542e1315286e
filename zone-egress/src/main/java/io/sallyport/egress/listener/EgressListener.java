package io.sallyport.egress.listener;

import io.sallyport.listeners.ListenerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.util.NetUtil;
import io.sallyport.core.accesslog.AccessLog;
import io.sallyport.core.cluster.Cluster;
import io.sallyport.core.cluster.ClusterSpec;
import io.sallyport.core.cluster.ClusterTable;
import io.sallyport.core.cluster.UpstreamChannelInitializer;
import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.cluster.EndpointResolver;
import io.sallyport.core.http.ClusterUpstreamChannelSource;
import io.sallyport.core.http.HttpAccessLog;
import io.sallyport.core.http.HttpCluster;
import io.sallyport.core.http.HttpClusterStats;
import io.sallyport.core.http.HttpConnectionManager;
import io.sallyport.core.http.HttpDownstreamLimits;
import io.sallyport.core.http.HttpRoute;
import io.sallyport.core.http.HttpTimeouts;
import io.sallyport.core.http.UpstreamHttpProtocol;
import io.sallyport.core.http.UpstreamTlsHandlerFactory;
import io.sallyport.core.runtime.SnapshotCompiler;
import io.sallyport.tls.UpstreamTls;
import io.sallyport.tls.UpstreamTlsSpec;
import io.sallyport.tls.UpstreamTlsSpecs;
import io.sallyport.core.config.ZoneEgress;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.runtime.DataPlaneComponent;
import io.sallyport.core.runtime.Snapshot;
import io.sallyport.core.transport.Transport;
import io.sallyport.core.upstream.UpstreamConnector;
import io.sallyport.egress.identity.MeshIdentity;
import io.sallyport.egress.permission.PermissionTable;
import io.sallyport.egress.sni.KumaSni;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zone egress listener: binds the ZoneEgress document's {@code networking.address:port} and, for
 * every connection, routes the mesh mTLS ClientHello by its Kuma SNI to a MeshExternalService
 * ({@link SniRouteHandler}), terminates the mesh TLS with this process's {@link MeshIdentity} and checks
 * the caller ({@link MeshHandshakeHandler}), then forwards to the service's endpoints exactly as a
 * sidecar does (its cluster: IPs, DNS names, unix sockets, priorities, timeouts, and the service's own TLS
 * origination through {@code upstreamInitializers}).
 *
 * <p>On {@link #apply}: a new address is bound (the old socket stops accepting, its connections run on
 * for the drain timeout); an unchanged address keeps its socket and takes the new routes, permissions
 * and clusters for connections accepted from then on. A snapshot without a ZoneEgress document is refused.
 * Call {@link #apply} from the reload thread, never an event loop.
 *
 * <p>MeshExternalServices of protocol {@code http}, {@code http2} and {@code grpc}: an allowed caller's
 * requests inside the tunnel (HTTP/1.1, or HTTP/2 with prior knowledge, as Kuma's sidecars send them)
 * go through the {@link HttpConnectionManager} to the service's HTTP cluster (pooled HTTP/1.1 or
 * multiplexed HTTP/2 upstream, the service's TLS, timeouts, per-request access log); a denied caller
 * gets Envoy's RBAC answer ({@code 403}, gRPC status 7) from {@link DeniedHttpResponder}.
 */
public final class EgressListener implements DataPlaneComponent {

    private static final Logger log = LoggerFactory.getLogger(EgressListener.class);

    private final EventLoopGroup group;
    private final Transport transport;
    private final UpstreamConnector connector;
    private final EndpointResolver resolver;
    private final HttpAccessLog httpAccessLog;
    private final Stats stats;
    private final AccessLog accessLog;
    private final Duration drainTimeout;
    private final MeshIdentity identity;
    private final Function<ClusterSpec, UpstreamChannelInitializer> upstreamInitializers;

    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
    private volatile EgressState state;
    private volatile CompletableFuture<Void> drained;
    private ClusterTable clusters = ClusterTable.EMPTY;
    /** The HTTP clusters of the routes in force, by service; closed when their cluster changes or goes. */
    private Map<String, HttpCluster> httpClusters = Map.of();
    private InetSocketAddress address;
    private Channel serverChannel;
    private boolean stopped;
    /** What {@link #standalone} created and {@link #close} therefore shuts down; empty otherwise. */
    private final java.util.List<AutoCloseable> owned = new java.util.ArrayList<>();

    /**
     * @param upstreamInitializers the upstream channel initializer of a cluster (the service's TLS
     *                             origination), or {@code null} when every service is plain TCP
     */
    public EgressListener(EventLoopGroup group, Transport transport, EndpointResolver resolver,
                          UpstreamConnector connector, Stats stats, AccessLog accessLog, HttpAccessLog httpAccessLog,
                          Duration drainTimeout, MeshIdentity identity,
                          Function<ClusterSpec, UpstreamChannelInitializer> upstreamInitializers) {
        this.group = Objects.requireNonNull(group, "group");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.httpAccessLog = Objects.requireNonNull(httpAccessLog, "httpAccessLog");
        this.connector = Objects.requireNonNull(connector, "connector");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.accessLog = Objects.requireNonNull(accessLog, "accessLog");
        this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.upstreamInitializers = upstreamInitializers;
    }

    /**
     * A listener that owns its resources: an event loop group of the platform transport, the system DNS
     * resolver, {@code accessLog} and {@code identity}'s watcher; {@link #close} shuts them down.
     */
    public static EgressListener standalone(Stats stats, AccessLog accessLog, HttpAccessLog httpAccessLog,
                                            Duration drainTimeout, MeshIdentity identity,
                                            Function<ClusterSpec, UpstreamChannelInitializer> upstreamInitializers) {
        return standalone(stats, accessLog, httpAccessLog, drainTimeout, identity, upstreamInitializers, 0);
    }

    /**
     * As {@link #standalone(Stats, AccessLog, HttpAccessLog, Duration, MeshIdentity, Function)}, with
     * {@code eventLoops} event loops ({@code 0}: {@link Transport#defaultConcurrency()}, one per available CPU).
     */
    public static EgressListener standalone(Stats stats, AccessLog accessLog, HttpAccessLog httpAccessLog,
                                            Duration drainTimeout, MeshIdentity identity,
                                            Function<ClusterSpec, UpstreamChannelInitializer> upstreamInitializers,
                                            int eventLoops) {
        Transport transport = Transport.platform();
        EventLoopGroup group = transport.newDataPathEventLoopGroup(eventLoops, "sallyport-egress");
        io.sallyport.core.cluster.EndpointResolver resolver =
                io.sallyport.core.cluster.EndpointResolver.system(transport);
        EgressListener l = new EgressListener(group, transport, resolver, new UpstreamConnector(transport, resolver),
                stats, accessLog, httpAccessLog, drainTimeout, identity, upstreamInitializers);
        l.owned.add(resolver);
        l.owned.add(accessLog);
        l.owned.add(identity);
        l.owned.add(() -> group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS));
        return l;
    }

    @Override
    public synchronized void apply(Snapshot next) throws IOException {
        if (stopped) {
            throw new IllegalStateException("egress listener is draining or closed");
        }
        ZoneEgress egress = next.config().first(ZoneEgress.class).orElseThrow(() ->
                new IOException("egress mode needs a ZoneEgress document (networking.address, networking.port)"));
        InetSocketAddress wanted = socketAddress(egress);
        ClusterTable nextClusters = ClusterTable.build(next.clusters().values(), stats, upstreamInitializers, clusters);
        Map<String, EgressRoute> routes = new HashMap<>();
        Map<String, HttpCluster> nextHttp = new HashMap<>();
        for (MeshExternalService mes : next.config().all(MeshExternalService.class)) {
            Cluster c = nextClusters.get(mes.name());
            if (c == null) {
                continue;
            }
            HttpConnectionManager http = null;
            if (mes.match().protocol().isHttp()) {
                HttpCluster hc = httpCluster(mes, c, next);
                nextHttp.put(mes.name(), hc);
                http = HttpConnectionManager.forRoute(HttpRoute.to(hc), httpAccessLog, HttpDownstreamLimits.DEFAULTS);
            }
            routes.put(KumaSni.of(mes), new EgressRoute(mes.name(), mes.match().protocol(), c, null, null, http));
        }
        Channel bound = serverChannel;
        if (!wanted.equals(address)) {
            bound = bind(wanted);
        }
        String listenerAddress = NetUtil.toAddressString(wanted.getAddress()) + "_" + wanted.getPort();
        EgressStats es = new EgressStats(stats, listenerAddress);
        Map<String, EgressRoute> counted = new HashMap<>();
        routes.forEach((sni, r) -> counted.put(sni,
                new EgressRoute(r.service(), r.protocol(), r.cluster(), es.allowed(r.service()), es.denied(r.service()),
                        r.http())));
        state = new EgressState("egress:" + NetUtil.toSocketAddressString(wanted), counted,
                PermissionTable.compile(next.config()), es, identity, connector);
        clusters = nextClusters;
        for (Map.Entry<String, HttpCluster> e : httpClusters.entrySet()) {
            if (nextHttp.get(e.getKey()) != e.getValue()) {
                e.getValue().close(); // pooled connections close; requests in flight finish
            }
        }
        httpClusters = Map.copyOf(nextHttp);
        if (bound != serverChannel) {
            Channel old = serverChannel;
            serverChannel = bound;
            address = wanted;
            log.info("zone egress listening on {} for {} MeshExternalService(s) as {}", bound.localAddress(),
                    counted.size(), identity.current().spiffeId());
            if (old != null) {
                old.close();
            }
        }
    }

    /**
     * The HTTP cluster of an http/http2/grpc service: reused while its runtime cluster is the same (the
     * spec did not change), else new, with the service's timeouts and TLS origination (contexts built
     * here, on the reload thread).
     */
    private HttpCluster httpCluster(MeshExternalService mes, Cluster cluster, Snapshot next) {
        HttpCluster old = httpClusters.get(mes.name());
        if (old != null && clusters.get(mes.name()) == cluster) {
            return old;
        }
        UpstreamTlsHandlerFactory tls = null;
        if (cluster.spec().originatesTls()) {
            UpstreamTlsSpecs.Resolution r = UpstreamTlsSpecs.resolve(cluster.spec().tls(), cluster.spec().tlsMaterial());
            if (!r.ok()) {
                throw new IllegalArgumentException("MeshExternalService " + mes.name() + ": " + r.errors());
            }
            UpstreamTlsSpec spec = r.spec();
            for (java.util.List<String> alpn : java.util.List.of(java.util.List.of("h2"), java.util.List.of("http/1.1"))) {
                UpstreamTls.factory().get(spec.withAlpn(alpn));
            }
            tls = new MesHttpTls(spec, UpstreamTls.factory(), mes.name(), stats);
        }
        return new HttpCluster(mes.name(), UpstreamHttpProtocol.of(mes.match().protocol()),
                new ClusterUpstreamChannelSource(cluster, transport, resolver, tls),
                HttpTimeouts.from(SnapshotCompiler.timeouts(mes, next.config())), new HttpClusterStats(stats, mes.name()));
    }

    private Channel bind(InetSocketAddress wanted) throws IOException {
        return ListenerBootstrap.bind(ListenerBootstrap.create(group, transport, this::accepted), wanted,
                "the zone egress listener");
    }

    private void accepted(Channel ch) {
        EgressState s = state;
        connections.add(ch);
        ch.closeFuture().addListener(f -> ended(ch));
        ch.pipeline().addLast("kuma-sni", new SniRouteHandler(s, accessLog));
    }

    private void ended(Channel ch) {
        connections.remove(ch);
        if (connections.isEmpty()) {
            CompletableFuture<Void> d = drained;
            if (d != null) {
                d.complete(null);
            }
        }
    }

    private static InetSocketAddress socketAddress(ZoneEgress egress) throws IOException {
        String a = egress.address();
        String literal = a.startsWith("[") && a.endsWith("]") ? a.substring(1, a.length() - 1) : a;
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(literal);
        if (ip == null || egress.port() < 0 || egress.port() > 65535) {
            throw new IOException("ZoneEgress " + egress.meta().name() + ": networking.address must be an IP "
                    + "address and port 0-65535, got " + a + ":" + egress.port());
        }
        return new InetSocketAddress(InetAddress.getByAddress(ip), egress.port());
    }

    /** The bound address (the real port when the ZoneEgress asks for port 0), or {@code null} before {@link #apply}. */
    public synchronized InetSocketAddress localAddress() {
        return serverChannel == null ? null : (InetSocketAddress) serverChannel.localAddress();
    }

    /** The runtime clusters of the last applied snapshot. */
    public synchronized ClusterTable clusters() {
        return clusters;
    }

    /** Connections accepted and not closed yet. */
    public int activeConnections() {
        return connections.size();
    }

    @Override
    public CompletableFuture<Void> drain(Duration timeout) {
        CompletableFuture<Void> d = new CompletableFuture<>();
        synchronized (this) {
            stopped = true;
            if (serverChannel != null) {
                Transport.closeListening(serverChannel);
            }
            drained = d;
        }
        if (connections.isEmpty()) {
            d.complete(null);
        } else {
            group.schedule(() -> d.complete(null), timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        return d;
    }

    @Override
    public synchronized void close() {
        stopped = true;
        if (serverChannel != null) {
            Transport.closeListening(serverChannel);
        }
        for (Channel c : connections) {
            c.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        connections.clear();
        httpClusters.values().forEach(HttpCluster::close);
        httpClusters = Map.of();
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", c, e.toString());
            }
        }
        owned.clear();
    }
}
