package io.sallyport.egress.listener;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.sallyport.core.accesslog.AccessLog;
import io.sallyport.egress.identity.MeshIdentity;
import java.util.Locale;

/**
 * The first handler of an egress connection: reads the ClientHello (bounded in size and time), looks
 * the SNI up among the Kuma SNIs of the MeshExternalServices, and either refuses the connection before
 * any handshake ({@code envoy_listener_no_filter_chain_match}: unknown or missing SNI, not TLS) or
 * replaces itself with the mesh {@link SslHandler} of the identity in force and a
 * {@link MeshHandshakeHandler}. The ClientHello bytes it buffered go to the {@link SslHandler} unchanged.
 */
final class SniRouteHandler extends AbstractSniHandler<EgressRoute> {

    private static final int MAX_CLIENT_HELLO = 16 * 1024;
    private static final long CLIENT_HELLO_TIMEOUT_MILLIS = 10_000;

    private final EgressState state;
    private final AccessLog accessLog;

    SniRouteHandler(EgressState state, AccessLog accessLog) {
        super(MAX_CLIENT_HELLO, CLIENT_HELLO_TIMEOUT_MILLIS);
        this.state = state;
        this.accessLog = accessLog;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx);
        ctx.read(); // auto-read is off: ask for the ClientHello
    }

    @Override
    protected Future<EgressRoute> lookup(ChannelHandlerContext ctx, String hostname) {
        EgressRoute route = hostname == null ? null : state.routes().get(hostname.toLowerCase(Locale.ROOT));
        // Completed on the next turn of the event loop, not synchronously: the ClientHello is then handed
        // to the SslHandler by the decoder's removal exactly once.
        io.netty.util.concurrent.Promise<EgressRoute> p = ctx.executor().newPromise();
        ctx.executor().execute(() -> p.setSuccess(route));
        return p;
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<EgressRoute> future) {
        EgressRoute route = future.getNow();
        if (route == null) {
            state.stats().listener.noFilterChainMatch().increment();
            RefusalLog.noRoute(accessLog, ctx.channel(), state.listenerName(), hostname);
            ctx.close();
            return;
        }
        MeshIdentity.Material identity = state.identity().current();
        SslHandler ssl = identity.server().newHandler(ctx.alloc());
        ctx.pipeline().addAfter(ctx.name(), "mesh-handshake", new MeshHandshakeHandler(state, route, identity, ssl,
                accessLog));
        ctx.pipeline().replace(this, "mesh-tls", ssl);
    }
}
