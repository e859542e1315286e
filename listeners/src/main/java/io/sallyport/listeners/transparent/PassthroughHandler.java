package io.sallyport.listeners.transparent;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.sallyport.core.accesslog.AccessLog;
import io.sallyport.core.cluster.Cluster;
import io.sallyport.core.cluster.ClusterSpec;
import io.sallyport.core.cluster.Endpoint;
import io.sallyport.core.cluster.PriorityLevel;
import io.sallyport.core.http.HttpAccessLog;
import io.sallyport.core.http.HttpConnectionManager;
import io.sallyport.core.http.HttpDownstreamLimits;
import io.sallyport.core.relay.ListenerStats;
import io.sallyport.listeners.http.CloseOnInputShutdown;
import io.sallyport.core.relay.TcpProxyHandler;
import io.sallyport.core.relay.TcpProxyTarget;
import io.sallyport.core.upstream.UpstreamConnector;
import io.sallyport.sni.sniff.SniffResult;
import io.sallyport.sni.sniff.SniffedProtocol;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;

/**
 * Decides, from the {@link SniffResult} of a transparent-proxied connection in {@code Matched} mode,
 * where it goes, then hands it to a {@link TcpProxyHandler}: a {@code Domain} match connects to the
 * matched name's own resolved addresses at the original port (never to the dialed IP, so a spoofed SNI
 * or {@code Host} opens no path to an arbitrary address); an {@code IP}/{@code CIDR} match connects to
 * the original destination; no match closes the connection without forwarding a byte ({@code NR},
 * {@code envoy_listener_no_filter_chain_match}, one access log line). An HTTP connection (HTTP/1 or
 * h2c) on a port that carries http/http2/grpc matches goes to an {@link HttpConnectionManager} instead,
 * which routes every request by its own {@code Host}/{@code :authority}; an unmatched host gets
 * {@code 503} naming it.
 *
 * <p>Sits after the {@link io.sallyport.sni.sniff.ProtocolSniffHandler}; it holds back
 * {@code channelActive} and fires it at the {@code TcpProxyHandler} it installs, so the upstream
 * connect starts only once the route is known. The sniffed bytes then reach that handler first and
 * are the first bytes sent upstream. One instance per connection.
 */
final class PassthroughHandler extends ChannelInboundHandlerAdapter {

    private final TransparentRouting routing;
    private final InetSocketAddress original;
    private final UpstreamConnector connector;
    private final AccessLog accessLog;
    private final HttpAccessLog httpAccessLog;
    private final Runnable onEnd;
    private boolean decided;
    /** The client half-closed before the decision: the relay must still learn of it. */
    private boolean inputShutdown;

    PassthroughHandler(TransparentRouting routing, InetSocketAddress original, UpstreamConnector connector,
                       AccessLog accessLog, HttpAccessLog httpAccessLog, Runnable onEnd) {
        this.httpAccessLog = httpAccessLog;
        this.routing = routing;
        this.original = original;
        this.connector = connector;
        this.accessLog = accessLog;
        this.onEnd = onEnd;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // Held back: the TcpProxyHandler installed on the sniff result gets it.
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && !decided) {
            // A client that sends little and half-closes (or a server-first protocol's client that
            // only closes) is decided by the sniff timeout; its end of input is replayed afterwards.
            inputShutdown = true;
            return;
        }
        if (!(evt instanceof SniffResult result) || decided) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        decided = true;
        String name = normalize(result.routingName());
        PassthroughRoute route = routing.passthrough().match(result.protocol(), original.getPort(),
                original.getAddress().getAddress(), name);
        boolean http = result.protocol() == SniffedProtocol.HTTP1 || result.protocol() == SniffedProtocol.HTTP2;
        if (http && routing.passthrough().isHttpPort(original.getPort())
                && (route == null || route.match() != null && route.match().protocol().isHttp())) {
            installHttp(ctx, result.protocol());
            return;
        }
        if (route != null) {
            Endpoint endpoint = route.toDomain()
                    ? new Endpoint.DnsName(name, original.getPort())
                    : new Endpoint.Ip(original.getAddress(), original.getPort());
            install(ctx, target(routing, route, endpoint));
            return;
        }
        install(ctx, routing.noMatch());
    }

    /**
     * Replaces this handler with an {@link HttpConnectionManager} that routes every request by its host
     * (an unmatched host gets {@code 503} naming it); the sniffed bytes reach it next.
     */
    private void installHttp(ChannelHandlerContext ctx, SniffedProtocol protocol) {
        PassthroughHttpClusters clusters = routing.http();
        ListenerStats ls = routing.listenerStats();
        clusters.retain();
        ls.cxTotal().increment();
        ls.cxActive().increment();
        ctx.channel().closeFuture().addListener(f -> {
            ls.cxActive().decrement();
            ls.cxDestroy().increment();
            clusters.release();
            onEnd.run();
        });
        HttpConnectionManager manager = new HttpConnectionManager(
                authority -> clusters.route(protocol, original, authority), httpAccessLog, HttpDownstreamLimits.DEFAULTS);
        ctx.pipeline().addAfter(ctx.name(), "http-eof", CloseOnInputShutdown.INSTANCE);
        ctx.pipeline().addAfter("http-eof", "http", manager);
        if (inputShutdown) {
            // After the sniffed bytes, which the sniffer passes on once this event handler returns.
            ctx.channel().eventLoop().execute(
                    () -> ctx.channel().pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE));
        }
        ctx.pipeline().remove(this);
    }

    /** Replaces this handler with a {@link TcpProxyHandler} for {@code target} and starts it. */
    private void install(ChannelHandlerContext ctx, TcpProxyTarget target) {
        ctx.pipeline().addAfter(ctx.name(), "tcp-proxy", new TcpProxyHandler(target, connector, accessLog, onEnd));
        ctx.fireChannelActive();
        if (inputShutdown) {
            // TcpProxyHandler replays it after the bytes it holds, so the order on the wire is kept.
            ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        }
        ctx.pipeline().remove(this);
    }

    /** The per-connection target of a passthrough route: one endpoint, counted under the route's cluster. */
    static TcpProxyTarget target(TransparentRouting routing, PassthroughRoute route, Endpoint endpoint) {
        ClusterSpec spec = new ClusterSpec(route.clusterName(), routing.spec().mesh(),
                List.of(new PriorityLevel(0, List.of(endpoint))), TransparentRouting.CONNECT_TIMEOUT,
                ClusterSpec.DEFAULT_IDLE_TIMEOUT, ClusterSpec.DEFAULT_MAX_CONNECT_ATTEMPTS, null);
        return new TcpProxyTarget(routing.spec().name(), routing.listenerStats(),
                new Cluster(spec, route.stats(), null), false);
    }

    /** The target of mode {@code All}: the original destination. */
    static TcpProxyTarget allTarget(TransparentRouting routing, InetSocketAddress original) {
        PassthroughRoute route = routing.passthrough().all(original.getAddress() instanceof Inet6Address);
        return target(routing, route, new Endpoint.Ip(original.getAddress(), original.getPort()));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (decided) {
            ctx.fireChannelRead(msg);
        } else {
            ReferenceCountUtil.release(msg); // the sniffer passes nothing on before its result
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /** Lower case without one trailing dot (DNS names are case-insensitive; the resolver wants one form). */
    private static String normalize(String name) {
        if (name == null || name.isEmpty()) {
            return null;
        }
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        return n.toLowerCase(Locale.ROOT);
    }

}
