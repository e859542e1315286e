package io.sallyport.listeners.transparent;

import io.netty.bootstrap.ServerBootstrap;
import io.sallyport.listeners.ListenerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.sallyport.core.accesslog.AccessLog;
import io.sallyport.core.http.HttpAccessLog;
import io.sallyport.listeners.http.HttpClusters;
import io.sallyport.listeners.http.HttpServiceRoute;
import io.sallyport.core.cluster.ClusterTable;
import io.sallyport.core.config.MeshPassthrough;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.relay.ListenerStats;
import io.sallyport.core.relay.TcpProxyHandler;
import io.sallyport.core.relay.TcpProxyTarget;
import io.sallyport.core.runtime.ListenerSpec;
import io.sallyport.core.runtime.Snapshot;
import io.sallyport.core.runtime.TransparentSpec;
import io.sallyport.core.transport.Transport;
import io.sallyport.core.upstream.UpstreamConnector;
import io.sallyport.sni.sniff.ProtocolSniffHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transparent listener ({@code transparentProxying.redirectPortOutbound}, 15001 by default): accepts
 * the connections iptables redirects to it, recovers each one's original destination
 * ({@link OriginalDestination}) and sends it on:
 * <ol>
 *   <li>to the MeshExternalService whose VIP (or outbound address) and port it was dialed to, exactly as
 *       that service's own listener would (its meters, its Mesh access switch);</li>
 *   <li>otherwise by MeshPassthrough: {@code None} closes it without a byte; {@code All} relays it to
 *       the original destination; {@code Matched} sniffs it ({@link ProtocolSniffHandler}: SNI, HTTP
 *       host) and routes it by {@link PassthroughTable} ({@link PassthroughHandler}).</li>
 * </ol>
 * A connection dialed straight to the listener's own port (not redirected) is refused, so it cannot
 * loop. The proxy's own upstream connections must be kept out of the redirect by the iptables rules
 * (owner uid or the upstream socket mark, see {@link UpstreamConnector}); {@code docs/transparent-proxy.md}
 * shows both.
 *
 * <p>{@link #apply} binds, rebinds (when the address changes) or closes the socket and swaps the routing
 * read by new connections; live connections keep the routing they started with. Call it from the
 * reload thread, never from an event loop.
 */
public final class TransparentListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TransparentListener.class);

    /**
     * System property: {@code true} sets {@code IP_TRANSPARENT} on the listening socket (epoll only), as
     * TPROXY interception needs; the accepted socket's local address is then the original destination.
     */
    public static final String IP_TRANSPARENT_PROPERTY = "sallyport.transparent.ipTransparent";

    private final EventLoopGroup group;
    private final Transport transport;
    private final UpstreamConnector connector;
    private final Stats stats;
    private final AccessLog accessLog;
    private final HttpAccessLog httpAccessLog;
    private final Consumer<Channel> onAccept;
    private final Consumer<Channel> onEnd;
    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
    private volatile TransparentRouting routing;
    private Channel serverChannel;
    /** The IPv6 companion ({@code [::]:port}, IPv6 only) of a listener bound on {@code 0.0.0.0}, if any. */
    private Channel serverChannelV6;

    /**
     * @param onAccept told of every accepted connection (the manager counts them for draining)
     * @param onEnd    told once when an accepted connection's session has ended
     */
    public TransparentListener(EventLoopGroup group, Transport transport, UpstreamConnector connector, Stats stats,
                               AccessLog accessLog, Consumer<Channel> onAccept, Consumer<Channel> onEnd) {
        this(group, transport, connector, stats, accessLog, HttpAccessLog.NONE, onAccept, onEnd);
    }

    /** @param httpAccessLog one entry per request of MeshPassthrough HTTP connections */
    public TransparentListener(EventLoopGroup group, Transport transport, UpstreamConnector connector, Stats stats,
                               AccessLog accessLog, HttpAccessLog httpAccessLog, Consumer<Channel> onAccept,
                               Consumer<Channel> onEnd) {
        this.httpAccessLog = Objects.requireNonNull(httpAccessLog, "httpAccessLog");
        this.group = Objects.requireNonNull(group, "group");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.connector = Objects.requireNonNull(connector, "connector");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.accessLog = Objects.requireNonNull(accessLog, "accessLog");
        this.onAccept = Objects.requireNonNull(onAccept, "onAccept");
        this.onEnd = Objects.requireNonNull(onEnd, "onEnd");
    }

    /**
     * Follows {@code snapshot.transparent()}: binds the listener when it appears or moves (the old
     * socket stops accepting; its connections carry on), closes it when it goes, and installs the
     * routing built from the snapshot's MeshExternalService listeners ({@code clusters} are the
     * runtime clusters of the same snapshot) and MeshPassthrough.
     *
     * @throws IOException when the listener cannot be bound; nothing changed then
     */
    public synchronized void apply(Snapshot snapshot, ClusterTable clusters) throws IOException {
        apply(snapshot, clusters, HttpClusters.EMPTY);
    }

    /**
     * As {@link #apply(Snapshot, ClusterTable)}; connections dialed to a MeshExternalService with an HTTP
     * protocol use its HTTP cluster from {@code httpClusters} (the same snapshot's).
     */
    public synchronized void apply(Snapshot snapshot, ClusterTable clusters, HttpClusters httpClusters)
            throws IOException {
        TransparentSpec spec = snapshot.transparent();
        if (spec == null) {
            stopAccepting();
            retire(routing);
            routing = null;
            return;
        }
        TransparentRouting next = routing(spec, snapshot, clusters, httpClusters);
        if (serverChannel == null || !spec.address().equals(routing == null ? null : routing.spec().address())) {
            Channel bound = bind(spec.address(), false);
            stopAccepting();
            serverChannel = bound;
            serverChannelV6 = bindIpv6Companion(spec);
            log.info("transparent listener {} on {} (MeshPassthrough {})", spec.name(), bound.localAddress(),
                    spec.passthrough().mode());
        }
        TransparentRouting previous = routing;
        routing = next;
        retire(previous);
    }

    /** The routing's HTTP passthrough clusters close once its last connection has ended. */
    private static void retire(TransparentRouting r) {
        if (r != null) {
            r.http().release();
        }
    }

    private TransparentRouting routing(TransparentSpec spec, Snapshot snapshot, ClusterTable clusters,
                                       HttpClusters httpClusters) {
        Map<InetSocketAddress, TcpProxyTarget> services = new HashMap<>();
        Map<InetSocketAddress, HttpServiceRoute> httpServices = new HashMap<>();
        for (ListenerSpec l : snapshot.listeners()) {
            services.putIfAbsent(l.address(), new TcpProxyTarget(l.name(), ListenerStats.of(stats, l.statsAddress()),
                    clusters.get(l.cluster()), l.forbidden()));
            HttpServiceRoute http = HttpServiceRoute.of(l, httpClusters, httpAccessLog);
            if (http != null) {
                httpServices.putIfAbsent(l.address(), http);
            }
        }
        ListenerStats listenerStats = ListenerStats.of(stats, spec.statsAddress());
        PassthroughTable table = PassthroughTable.compile(spec.passthrough(), stats);
        return new TransparentRouting(spec, listenerStats, services, table,
                new TcpProxyTarget(spec.name(), listenerStats, null, false),
                new PassthroughHttpClusters(table, spec.mesh(), listenerStats, transport, connector, stats),
                httpServices);
    }

    /**
     * Binds {@code [::]:port} next to {@code 0.0.0.0:port} (with {@code IPV6_V6ONLY}, so the two do not
     * collide), as Kuma listens for both families; {@code null} when the listener is not on the IPv4
     * wildcard, the transport is not epoll, or the host has no IPv6.
     */
    private Channel bindIpv6Companion(TransparentSpec spec) {
        if (!transport.isEpoll() || !spec.address().getAddress().isAnyLocalAddress()
                || spec.address().getAddress() instanceof java.net.Inet6Address) {
            return null;
        }
        InetSocketAddress v6 = new InetSocketAddress(ipv6Any(), ((InetSocketAddress) serverChannel.localAddress()).getPort());
        try {
            Channel ch = bind(v6, true);
            log.info("transparent listener outbound:passthrough:ipv6 on {}", ch.localAddress());
            return ch;
        } catch (IOException e) {
            log.info("no IPv6 transparent listener: {}", e.getMessage());
            return null;
        }
    }

    private static java.net.InetAddress ipv6Any() {
        try {
            return java.net.InetAddress.getByAddress(new byte[16]);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code setsockopt(IPPROTO_IPV6 (41), IPV6_V6ONLY (26))}: Netty names no such option. */
    private static final ChannelOption<Integer> IPV6_V6ONLY =
            new io.netty.channel.unix.IntegerUnixChannelOption("IPV6_V6ONLY", 41, 26);

    private Channel bind(InetSocketAddress address, boolean ipv6Only) throws IOException {
        // Binds libc here, on the reload thread, rather than in the first accept on an event loop (JNA may
        // unpack its native library to disk then).
        OriginalDestination.nativeAvailable();
        ServerBootstrap b = ListenerBootstrap.create(group, transport, this::accepted);
        if (Boolean.getBoolean(IP_TRANSPARENT_PROPERTY) && transport.isEpoll()) {
            b.option(io.netty.channel.epoll.EpollChannelOption.IP_TRANSPARENT, true);
        }
        if (ipv6Only) {
            b.option(IPV6_V6ONLY, 1);
        }
        return ListenerBootstrap.bind(b, address, "transparent listener");
    }

    private void accepted(Channel ch) {
        TransparentRouting r = routing;
        connections.add(ch);
        onAccept.accept(ch);
        Runnable ended = () -> {
            connections.remove(ch);
            onEnd.accept(ch);
        };
        ChannelPipeline p = ch.pipeline();
        InetSocketAddress original;
        try {
            original = OriginalDestination.of(ch).address();
        } catch (RuntimeException e) {
            original = null;
        }
        if (r == null || original == null || original.getAddress() == null) {
            p.addLast("tcp-proxy", new TcpProxyHandler(r == null ? closedTarget() : r.noMatch(), connector, accessLog, ended));
            return;
        }
        TcpProxyTarget service = r.services().get(original);
        HttpServiceRoute httpService = r.httpServices().get(original);
        if (service != null && httpService != null) {
            httpService.install(ch, service.listenerStats(), ended);
            return;
        }
        if (service != null) {
            p.addLast("tcp-proxy", new TcpProxyHandler(service, connector, accessLog, ended));
            return;
        }
        if (ch.parent() != null && original.getPort() == ((InetSocketAddress) ch.parent().localAddress()).getPort()) {
            // Dialed to the redirect port itself (not intercepted): forwarding it would loop back here.
            p.addLast("tcp-proxy", new TcpProxyHandler(r.noMatch(), connector, accessLog, ended));
            return;
        }
        MeshPassthrough.Mode mode = r.passthrough().mode();
        if (mode == MeshPassthrough.Mode.All) {
            p.addLast("tcp-proxy", new TcpProxyHandler(PassthroughHandler.allTarget(r, original), connector,
                    accessLog, ended));
        } else if (mode == MeshPassthrough.Mode.Matched) {
            p.addLast("sniff", new ProtocolSniffHandler());
            p.addLast("passthrough", new PassthroughHandler(r, original, connector, accessLog, httpAccessLog, ended));
        } else {
            p.addLast("tcp-proxy", new TcpProxyHandler(r.noMatch(), connector, accessLog, ended));
        }
    }

    private TcpProxyTarget closedTarget() {
        return new TcpProxyTarget("outbound:passthrough", ListenerStats.of(stats, "unknown"), null, false);
    }

    /** The bound address (the port is known after binding port 0), or {@code null} when not listening. */
    public synchronized InetSocketAddress localAddress() {
        return serverChannel == null ? null : (InetSocketAddress) serverChannel.localAddress();
    }

    /** The listener's name, or {@code null} when not listening. */
    public synchronized String name() {
        TransparentRouting r = routing;
        return serverChannel == null || r == null ? null : r.spec().name();
    }

    /** The bound sockets by listener name (the IPv4 one and its IPv6 companion); empty when not listening. */
    public synchronized Map<String, InetSocketAddress> addresses() {
        Map<String, InetSocketAddress> out = new java.util.LinkedHashMap<>();
        String name = name();
        if (name != null) {
            out.put(name, (InetSocketAddress) serverChannel.localAddress());
        }
        if (serverChannelV6 != null) {
            out.put("outbound:passthrough:ipv6", (InetSocketAddress) serverChannelV6.localAddress());
        }
        return out;
    }

    /** Stops accepting; live connections carry on. */
    public synchronized void stopAccepting() {
        if (serverChannelV6 != null) {
            Transport.closeListening(serverChannelV6);
            serverChannelV6 = null;
        }
        if (serverChannel != null) {
            Transport.closeListening(serverChannel);
            serverChannel = null;
        }
    }

    /** Live connections accepted here. */
    public Set<Channel> connections() {
        return connections;
    }

    /** Stops accepting and closes every live connection. */
    @Override
    public synchronized void close() {
        stopAccepting();
        for (Channel c : connections) {
            c.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        retire(routing);
        routing = null;
    }
}
