package io.sallyport.listeners;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.sallyport.core.accesslog.AccessLog;
import io.sallyport.core.cluster.ClusterSpec;
import io.sallyport.core.cluster.ClusterTable;
import io.sallyport.core.cluster.UpstreamChannelInitializer;
import io.sallyport.core.http.HttpAccessLog;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.relay.ListenerStats;
import io.sallyport.core.relay.TcpProxyHandler;
import io.sallyport.core.relay.TcpProxyTarget;
import io.sallyport.core.runtime.DataPlaneComponent;
import io.sallyport.core.runtime.ListenerSpec;
import io.sallyport.core.runtime.Snapshot;
import io.sallyport.core.transport.Transport;
import io.sallyport.core.upstream.UpstreamConnector;
import io.sallyport.listeners.http.HttpClusters;
import io.sallyport.listeners.http.HttpServiceRoute;
import io.sallyport.listeners.http.HttpUpstreamTls;
import io.sallyport.listeners.transparent.TransparentListener;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the snapshot's outbound and VIP listeners and keeps them in step with reloads.
 *
 * <p>On {@link #apply}: listeners whose address is new are bound; listeners whose address stays keep
 * their socket and take the new target (cluster, forbid switch) for connections accepted from then on;
 * listeners whose address is gone stop accepting while their live connections keep flowing until they
 * end or the drain timeout passes. Every accepted connection uses the target current at accept time.
 * An outbound listener that cannot be bound fails the whole apply (nothing changes); a VIP that cannot
 * be bound (not local to this host) is logged once and skipped.
 *
 * <p>Listeners of MeshExternalServices with {@code http}, {@code http2} or {@code grpc} protocols run
 * the {@link io.sallyport.core.http.HttpConnectionManager} (one {@link io.sallyport.core.http.HttpCluster}
 * per service and snapshot, see {@link HttpClusters}); the others relay TCP. A Mesh that forbids the access closes TCP
 * connections unforwarded and answers HTTP requests {@code 403} (gRPC status 7).
 *
 * <p>The transparent listener ({@code Snapshot.transparent()}) is bound, moved and closed the same way
 * by a {@link TransparentListener}; its connections count towards draining like the others.
 *
 * <p>{@link #apply} blocks until sockets are bound: call it from the reload thread, never from an
 * event loop.
 */
public final class ListenerManager implements DataPlaneComponent {

    private static final Logger log = LoggerFactory.getLogger(ListenerManager.class);

    private final EventLoopGroup group;
    private final Transport transport;
    private final UpstreamConnector connector;
    private final Stats stats;
    private final AccessLog accessLog;
    private final Duration drainTimeout;
    private final Function<ClusterSpec, UpstreamChannelInitializer> upstreamInitializers;

    private final Map<InetSocketAddress, BoundListener> bound = new LinkedHashMap<>();
    private final Set<BoundListener> retiring = ConcurrentHashMap.newKeySet();
    private final Set<InetSocketAddress> vipFailuresLogged = new HashSet<>();
    private final AtomicInteger liveConnections = new AtomicInteger();
    private volatile CompletableFuture<Void> drained;
    private ClusterTable clusters = ClusterTable.EMPTY;
    private boolean stopped;
    /** What {@link #standalone} created and {@link #close} therefore shuts down; empty otherwise. */
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final TransparentListener transparent;
    private final HttpAccessLog httpAccessLog;
    private final HttpClusters.Factory httpFactory;
    private HttpClusters httpClusters = HttpClusters.EMPTY;

    /**
     * @param group                event loops for accepting and relaying (from {@code transport})
     * @param drainTimeout         how long connections of a removed listener may live on
     * @param upstreamInitializers the upstream channel initializer of a cluster (TLS origination), or
     *                             {@code null} when every cluster is plain TCP
     */
    public ListenerManager(EventLoopGroup group, Transport transport, UpstreamConnector connector, Stats stats,
                           AccessLog accessLog, Duration drainTimeout,
                           Function<ClusterSpec, UpstreamChannelInitializer> upstreamInitializers) {
        this(group, transport, connector, stats, accessLog, drainTimeout, upstreamInitializers, HttpAccessLog.NONE);
    }

    /**
     * @param httpAccessLog receives one entry per HTTP request of the http/http2/grpc listeners (the
     *                      other constructor drops them)
     */
    public ListenerManager(EventLoopGroup group, Transport transport, UpstreamConnector connector, Stats stats,
                           AccessLog accessLog, Duration drainTimeout,
                           Function<ClusterSpec, UpstreamChannelInitializer> upstreamInitializers,
                           HttpAccessLog httpAccessLog) {
        this.httpAccessLog = Objects.requireNonNull(httpAccessLog, "httpAccessLog");
        this.httpFactory = HttpClusters.factory(transport, connector, stats, HttpUpstreamTls.shared(stats));
        this.group = Objects.requireNonNull(group, "group");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.connector = Objects.requireNonNull(connector, "connector");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.accessLog = Objects.requireNonNull(accessLog, "accessLog");
        this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
        this.upstreamInitializers = upstreamInitializers;
        this.transparent = new TransparentListener(group, transport, connector, stats, accessLog, httpAccessLog,
                ch -> liveConnections.incrementAndGet(), ch -> ended(null, ch));
    }

    /**
     * A manager that owns its resources: an event loop group of the platform transport (one event loop
     * per available CPU), the system DNS resolver ({@code /etc/resolv.conf}, {@code /etc/hosts}) and
     * {@code accessLog}; {@link #close} shuts all three down.
     */
    public static ListenerManager standalone(Stats stats, AccessLog accessLog, Duration drainTimeout,
                                             Function<ClusterSpec, UpstreamChannelInitializer> upstreamInitializers) {
        return standalone(stats, accessLog, drainTimeout, upstreamInitializers, HttpAccessLog.NONE);
    }

    /**
     * As {@link #standalone(Stats, AccessLog, Duration, Function)}, with the HTTP requests' access log
     * (closed by {@link #close} too when it is {@link AutoCloseable}).
     */
    public static ListenerManager standalone(Stats stats, AccessLog accessLog, Duration drainTimeout,
                                             Function<ClusterSpec, UpstreamChannelInitializer> upstreamInitializers,
                                             HttpAccessLog httpAccessLog) {
        return standalone(stats, accessLog, drainTimeout, upstreamInitializers, httpAccessLog, 0);
    }

    /**
     * As {@link #standalone(Stats, AccessLog, Duration, Function, HttpAccessLog)}, with {@code eventLoops}
     * data-path event loops ({@code 0}: {@link Transport#defaultConcurrency()}, one per available CPU).
     */
    public static ListenerManager standalone(Stats stats, AccessLog accessLog, Duration drainTimeout,
                                             Function<ClusterSpec, UpstreamChannelInitializer> upstreamInitializers,
                                             HttpAccessLog httpAccessLog, int eventLoops) {
        Transport transport = Transport.platform();
        EventLoopGroup group = transport.newDataPathEventLoopGroup(eventLoops, "sallyport-io");
        io.sallyport.core.cluster.EndpointResolver resolver =
                io.sallyport.core.cluster.EndpointResolver.system(transport);
        ListenerManager m = new ListenerManager(group, transport, new UpstreamConnector(transport, resolver), stats,
                accessLog, drainTimeout, upstreamInitializers, httpAccessLog);
        m.owned.add(resolver);
        if (httpAccessLog instanceof AutoCloseable c) {
            m.owned.add(c);
        }
        m.owned.add(accessLog);
        m.owned.add(() -> group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS));
        return m;
    }

    @Override
    public synchronized void apply(Snapshot next) throws IOException {
        if (stopped) {
            throw new IllegalStateException("listener manager is draining or closed");
        }
        ClusterTable nextClusters = ClusterTable.build(next.clusters().values(), stats, upstreamInitializers, clusters);
        HttpClusters nextHttp = HttpClusters.build(next.listeners(), nextClusters, httpClusters, httpFactory);
        Map<InetSocketAddress, ListenerSpec> wanted = new LinkedHashMap<>();
        for (ListenerSpec spec : next.listeners()) {
            wanted.put(spec.address(), spec);
        }
        // Bind everything new first: if an outbound cannot be bound, undo and leave the old state intact.
        Map<InetSocketAddress, BoundListener> added = new LinkedHashMap<>();
        for (ListenerSpec spec : wanted.values()) {
            if (bound.containsKey(spec.address())) {
                continue;
            }
            BoundListener l = new BoundListener(spec, target(spec, nextClusters));
            l.http(spec, nextHttp, httpAccessLog);
            ChannelFuture f = bind(l);
            if (f.isSuccess()) {
                l.serverChannel = f.channel();
                added.put(spec.address(), l);
                vipFailuresLogged.remove(spec.address());
                log.info("listening on {} for MeshExternalService {} ({})", l.localAddress(), spec.cluster(),
                        spec.kind() == ListenerSpec.Kind.VIP ? "VIP" : "outbound");
            } else if (spec.kind() == ListenerSpec.Kind.VIP) {
                if (vipFailuresLogged.add(spec.address())) {
                    log.warn("cannot bind VIP listener {} for MeshExternalService {}: {} (is the VIP range "
                            + "routed locally, e.g. `ip route add local <cidr> dev lo`?)",
                            spec.name(), spec.cluster(), f.cause().getMessage());
                }
            } else {
                for (BoundListener a : added.values()) {
                    Transport.closeListening(a.serverChannel);
                }
                nextHttp.retireReplaced(httpClusters);
                IOException e = new BindException("cannot bind " + spec.name() + " for MeshExternalService "
                        + spec.cluster() + ": " + f.cause().getMessage());
                e.initCause(f.cause());
                throw e;
            }
        }
        try {
            transparent.apply(next, nextClusters, nextHttp);
        } catch (IOException e) {
            for (BoundListener a : added.values()) {
                Transport.closeListening(a.serverChannel);
            }
            nextHttp.retireReplaced(httpClusters);
            throw e;
        }
        // Commit: retarget kept listeners, retire removed ones, install new ones.
        clusters = nextClusters;
        for (var it = bound.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<InetSocketAddress, BoundListener> e = it.next();
            ListenerSpec spec = wanted.get(e.getKey());
            if (spec != null) {
                e.getValue().spec = spec;
                e.getValue().target = target(spec, nextClusters);
                e.getValue().http(spec, nextHttp, httpAccessLog);
            } else {
                it.remove();
                retire(e.getValue());
            }
        }
        bound.putAll(added);
        vipFailuresLogged.retainAll(wanted.keySet());
        httpClusters.retireReplaced(nextHttp);
        httpClusters = nextHttp;
    }

    private TcpProxyTarget target(ListenerSpec spec, ClusterTable table) {
        return new TcpProxyTarget(spec.name(), ListenerStats.of(stats, spec.statsAddress()),
                table.get(spec.cluster()), spec.forbidden());
    }

    private ChannelFuture bind(BoundListener l) {
        return ListenerBootstrap.create(group, transport, ch -> accepted(l, ch))
                .bind(l.spec.address()).awaitUninterruptibly();
    }

    private void accepted(BoundListener l, Channel ch) {
        l.connections.add(ch);
        liveConnections.incrementAndGet();
        HttpServiceRoute http = l.http;
        if (http != null) {
            http.install(ch, l.target.listenerStats(), () -> ended(l, ch));
            return;
        }
        ch.pipeline().addLast("tcp-proxy", new TcpProxyHandler(l.target, connector, accessLog, () -> ended(l, ch)));
    }

    private void ended(BoundListener l, Channel ch) {
        if (l != null) {
            l.connections.remove(ch);
            if (l.connections.isEmpty()) {
                retiring.remove(l);
            }
        }
        if (liveConnections.decrementAndGet() == 0) {
            CompletableFuture<Void> d = drained;
            if (d != null) {
                d.complete(null);
            }
        }
    }

    /** Stops accepting on {@code l}; its connections may run for the drain timeout, then are closed. */
    private void retire(BoundListener l) {
        log.info("closing listener {} ({} live connection(s) may finish within {})", l.spec.name(),
                l.connections.size(), drainTimeout);
        // Closed before apply returns: once a new snapshot is applied, a removed listener refuses connections.
        Transport.closeListening(l.serverChannel);
        if (!l.connections.isEmpty()) {
            retiring.add(l);
            group.schedule(() -> {
                for (Channel c : l.connections) {
                    c.close();
                }
            }, drainTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public CompletableFuture<Void> drain(Duration timeout) {
        CompletableFuture<Void> d = new CompletableFuture<>();
        synchronized (this) {
            stopped = true;
            for (BoundListener l : bound.values()) {
                Transport.closeListening(l.serverChannel);
            }
            transparent.stopAccepting();
            drained = d;
        }
        if (liveConnections.get() == 0) {
            d.complete(null);
        } else {
            group.schedule(() -> d.complete(null), timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        return d;
    }

    @Override
    public synchronized void close() {
        stopped = true;
        List<ChannelFuture> closing = new ArrayList<>();
        for (BoundListener l : bound.values()) {
            Transport.closeListening(l.serverChannel);
            l.connections.forEach(c -> closing.add(c.close()));
        }
        for (BoundListener l : retiring) {
            l.connections.forEach(c -> closing.add(c.close()));
        }
        for (ChannelFuture f : closing) {
            f.awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        transparent.close();
        httpClusters.retireAll();
        httpClusters = HttpClusters.EMPTY;
        bound.clear();
        retiring.clear();
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", c, e.toString());
            }
        }
        owned.clear();
    }

    /** The bound listeners by name and their actual local address (the port is known after binding port 0). */
    public synchronized Map<String, InetSocketAddress> listeners() {
        Map<String, InetSocketAddress> out = new LinkedHashMap<>();
        for (BoundListener l : bound.values()) {
            out.put(l.spec.name(), l.localAddress());
        }
        out.putAll(transparent.addresses());
        return out;
    }

    /** The runtime clusters of the last applied snapshot (for the admin {@code /clusters} page). */
    public synchronized ClusterTable clusters() {
        return clusters;
    }

    /** Downstream connections that have not ended yet, on all listeners, removed ones included. */
    public int activeConnections() {
        return liveConnections.get();
    }

    /** One bound socket; {@code spec}, {@code target} and {@code http} change on reload, read once per accept. */
    private static final class BoundListener {
        volatile ListenerSpec spec;
        volatile TcpProxyTarget target;
        /** {@code null} for a TCP listener. */
        volatile HttpServiceRoute http;
        Channel serverChannel;
        final Set<Channel> connections = ConcurrentHashMap.newKeySet();

        BoundListener(ListenerSpec spec, TcpProxyTarget target) {
            this.spec = spec;
            this.target = target;
        }

        InetSocketAddress localAddress() {
            return (InetSocketAddress) serverChannel.localAddress();
        }

        /** Sets (or clears, for TCP) the HTTP side from the snapshot's HTTP clusters. */
        void http(ListenerSpec spec, HttpClusters clusters, HttpAccessLog accessLog) {
            http = HttpServiceRoute.of(spec, clusters, accessLog);
        }
    }
}
