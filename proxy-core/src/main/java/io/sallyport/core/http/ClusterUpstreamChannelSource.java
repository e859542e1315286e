package io.sallyport.core.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.sallyport.core.cluster.Cluster;
import io.sallyport.core.cluster.ClusterStats;
import io.sallyport.core.cluster.Endpoint;
import io.sallyport.core.cluster.EndpointResolver;
import io.sallyport.core.cluster.EndpointSelector;
import io.sallyport.core.cluster.PriorityLevel;
import io.sallyport.core.transport.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@link UpstreamChannelSource} of a compiled {@link Cluster}: the cluster's endpoint selector orders
 * the endpoints (priority levels, round-robin, attempt bound), DNS names are resolved without blocking
 * on the connecting loop, and connections use the process transport. Counts the cluster's
 * {@code upstream_cx_*} meters as the TCP connector does.
 */
public final class ClusterUpstreamChannelSource implements UpstreamChannelSource {

    private final Cluster cluster;
    private final Transport transport;
    private final EndpointResolver resolver;
    private final UpstreamTlsHandlerFactory tls;
    private final int socketMark;
    /** The pool key of each compiled endpoint, built once. */
    private final Map<Endpoint, UpstreamEndpoint> upstreamOf = new IdentityHashMap<>();
    /** One level: the attempt order starting at each index of it; else {@code null}. */
    private final List<UpstreamEndpoint>[] rotations;
    /** Several levels of one endpoint each: the only order; else {@code null}. */
    private final List<UpstreamEndpoint> fixedOrder;

    /** Beyond this many endpoints in one level the orders are built per request instead (n² entries). */
    private static final int MAX_PRECOMPUTED_ROTATIONS = 64;

    /** Linux {@code setsockopt(SOL_SOCKET (1), SO_MARK (36))}, as the TCP {@code UpstreamConnector} sets it. */
    private static final ChannelOption<Integer> SO_MARK =
            new io.netty.channel.unix.IntegerUnixChannelOption("SO_MARK", 1, 36);

    /**
     * @param tls TLS origination for the cluster's endpoints ({@code null} for plaintext): the TLS module's
     *            context for the cluster's spec, with ALPN {@code h2} for http2/grpc clusters
     */
    public ClusterUpstreamChannelSource(Cluster cluster, Transport transport, EndpointResolver resolver,
                                        UpstreamTlsHandlerFactory tls) {
        this(cluster, transport, resolver, tls, 0);
    }

    /**
     * @param socketMark the {@code SO_MARK} of upstream TCP sockets (0 for none; needs the epoll transport),
     *                   so that iptables rules can keep the proxy's own connections out of the redirect
     */
    public ClusterUpstreamChannelSource(Cluster cluster, Transport transport, EndpointResolver resolver,
                                        UpstreamTlsHandlerFactory tls, int socketMark) {
        if (socketMark != 0 && !transport.isEpoll()) {
            throw new IllegalArgumentException("socketMark needs the epoll transport, not " + transport);
        }
        this.socketMark = socketMark;
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.tls = tls;
        EndpointSelector selector = cluster.selector();
        List<PriorityLevel> levels = selector.levels();
        int attempts = selector.maxAttempts();
        for (PriorityLevel level : levels) {
            for (Endpoint e : level.endpoints()) {
                upstreamOf.computeIfAbsent(e, this::toUpstream);
            }
        }
        List<UpstreamEndpoint>[] byStart = null;
        List<UpstreamEndpoint> fixed = null;
        if (levels.size() == 1 && levels.get(0).endpoints().size() <= MAX_PRECOMPUTED_ROTATIONS) {
            List<Endpoint> eps = levels.get(0).endpoints();
            int n = eps.size();
            @SuppressWarnings({"unchecked", "rawtypes"})
            List<UpstreamEndpoint>[] r = new List[n];
            for (int start = 0; start < n; start++) {
                List<UpstreamEndpoint> order = new ArrayList<>(Math.min(n, attempts));
                for (int i = 0; i < n && i < attempts; i++) {
                    order.add(upstreamOf.get(eps.get((start + i) % n)));
                }
                r[start] = List.copyOf(order);
            }
            byStart = r;
        } else if (levels.stream().allMatch(l -> l.endpoints().size() == 1)) {
            // One endpoint per level: every plan is the same priority failover order.
            List<UpstreamEndpoint> order = new ArrayList<>();
            for (int i = 0; i < levels.size() && i < attempts; i++) {
                order.add(upstreamOf.get(levels.get(i).endpoints().get(0)));
            }
            fixed = List.copyOf(order);
        }
        this.rotations = byStart;
        this.fixedOrder = fixed;
    }

    /**
     * The endpoints to try, most preferred first. Their {@link UpstreamEndpoint}s are built once per compiled
     * endpoint; for the usual shapes (one priority level, or one endpoint per level) the orders themselves are
     * precomputed, so a request costs one cursor increment and allocates nothing.
     */
    @Override
    public List<UpstreamEndpoint> endpoints() {
        if (rotations != null) {
            return rotations[rotations.length == 1 ? 0 : cluster.selector().nextStart(0)];
        }
        if (fixedOrder != null) {
            return fixedOrder;
        }
        EndpointSelector.Plan plan = cluster.selector().plan();
        List<UpstreamEndpoint> out = new ArrayList<>(4);
        Endpoint e;
        while ((e = plan.next()) != null) {
            out.add(upstreamOf.get(e));
        }
        if (out.isEmpty()) {
            cluster.stats().noneHealthy().increment();
        }
        return out;
    }

    private UpstreamEndpoint toUpstream(Endpoint e) {
        if (e instanceof Endpoint.Ip ip) {
            return new UpstreamEndpoint(new InetSocketAddress(ip.address(), ip.port()),
                    ip.address().getHostAddress(), ip.port(), tls);
        } else if (e instanceof Endpoint.DnsName dns) {
            return new UpstreamEndpoint(InetSocketAddress.createUnresolved(dns.hostname(), dns.port()),
                    dns.hostname(), dns.port(), tls);
        } else {
            Endpoint.UnixPath unix = (Endpoint.UnixPath) e;
            // A unix socket has no host name: Host keeps the client's value's role, "localhost" by convention.
            return new UpstreamEndpoint(transport.domainSocketAddress(unix.path()), "localhost", 0, tls);
        }
    }

    @Override
    public Future<Channel> connect(UpstreamEndpoint endpoint, EventLoop loop, Duration connectTimeout) {
        Promise<Channel> promise = loop.newPromise();
        SocketAddress address = endpoint.address();
        if (address instanceof InetSocketAddress isa && isa.isUnresolved()) {
            resolver.resolveAll(isa.getHostString(), loop).addListener(f -> {
                if (!f.isSuccess()) {
                    cluster.stats().connectFail().increment();
                    promise.tryFailure(f.cause());
                    return;
                }
                @SuppressWarnings("unchecked")
                List<InetAddress> all = (List<InetAddress>) f.getNow();
                List<SocketAddress> addresses = new ArrayList<>(all.size());
                for (InetAddress a : all) {
                    addresses.add(new InetSocketAddress(a, isa.getPort()));
                }
                connectFirst(addresses, 0, loop, connectTimeout, promise);
            });
        } else {
            connectFirst(List.of(address), 0, loop, connectTimeout, promise);
        }
        return promise;
    }

    private void connectFirst(List<SocketAddress> addresses, int i, EventLoop loop, Duration timeout,
                              Promise<Channel> promise) {
        if (promise.isDone()) {
            return;
        }
        SocketAddress address = addresses.get(i);
        ClusterStats stats = cluster.stats();
        boolean unix = !(address instanceof InetSocketAddress);
        Bootstrap b = new Bootstrap().group(loop)
                .channelFactory(unix ? transport.domainSocketChannelFactory() : transport.socketChannelFactory())
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInboundHandlerAdapter());
        if (!unix) {
            b.option(ChannelOption.TCP_NODELAY, true);
            if (socketMark != 0) {
                b.option(SO_MARK, socketMark);
            }
        }
        if (!timeout.isZero()) {
            b.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        }
        stats.cxTotal().increment();
        ChannelFuture f = b.connect(address);
        f.addListener(done -> {
            if (done.isSuccess()) {
                Channel ch = f.channel();
                stats.cxActive().increment();
                ch.closeFuture().addListener(c -> {
                    stats.cxActive().decrement();
                    stats.cxDestroy().increment();
                });
                if (!promise.trySuccess(ch)) {
                    ch.close();
                }
                return;
            }
            stats.connectFail().increment();
            if (done.cause() instanceof ConnectTimeoutException) {
                stats.connectTimeout().increment();
            }
            if (i + 1 < addresses.size()) {
                connectFirst(addresses, i + 1, loop, timeout, promise);
            } else {
                promise.tryFailure(done.cause());
            }
        });
    }
}
