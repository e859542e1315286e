package io.sallyport.egress.listener;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.sallyport.core.accesslog.AccessLog;
import io.sallyport.core.relay.TcpProxyHandler;
import io.sallyport.core.relay.TcpProxyTarget;
import io.sallyport.egress.identity.MeshIdentity;
import io.sallyport.egress.identity.SpiffeId;
import io.sallyport.egress.identity.VerifyFailure;
import io.sallyport.egress.permission.PermissionTable;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for the mesh TLS handshake of an egress connection, then decides: a failed handshake is counted
 * under its reason ({@code ssl_fail_verify_no_cert}, {@code ..._error}, {@code ..._san}, else
 * {@code ssl_connection_error}); a client without a certificate is closed at once; otherwise the caller's
 * SPIFFE ID is checked against the {@link PermissionTable} for the routed MeshExternalService and a
 * {@link TcpProxyHandler} takes over: it forwards to the service's endpoints when allowed, and closes
 * without a byte ({@code NR}, {@code envoy_listener_downstream_cx_forbidden}) when denied. Either way the
 * access log line carries the caller's SPIFFE ID and the service.
 */
final class MeshHandshakeHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(MeshHandshakeHandler.class);

    private final EgressState state;
    private final EgressRoute route;
    private final MeshIdentity.Material identity;
    private final SslHandler ssl;
    private final AccessLog accessLog;

    MeshHandshakeHandler(EgressState state, EgressRoute route, MeshIdentity.Material identity, SslHandler ssl,
                         AccessLog accessLog) {
        this.state = state;
        this.route = route;
        this.identity = identity;
        this.ssl = ssl;
        this.accessLog = accessLog;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (!(evt instanceof SslHandshakeCompletionEvent done)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        VerifyFailure recorded = identity.serverTrust().takeFailure(ssl.engine());
        if (!done.isSuccess() && recorded == null) {
            recorded = fromCause(done.cause());
        }
        if (!done.isSuccess()) {
            if (recorded != null) {
                state.stats().verifyFailed(recorded);
            } else {
                state.stats().connectionError.increment();
            }
            log.debug("egress handshake refused from {} for {}: {}", ctx.channel().remoteAddress(), route.service(),
                    recorded != null ? recorded : done.cause().toString());
            ctx.close();
            return;
        }
        X509Certificate[] chain = peerChain();
        VerifyFailure refused = identity.serverTrust().verifyClient(chain);
        SpiffeId caller = refused == null ? SpiffeId.of(chain[0]) : null;
        if (caller == null) {
            state.stats().verifyFailed(refused != null ? refused : VerifyFailure.SAN);
            log.debug("egress connection from {} refused: {}", ctx.channel().remoteAddress(), refused);
            ctx.close();
            return;
        }
        state.stats().handshake.increment();
        PermissionTable.Decision decision = state.permissions().decide(route.service(), caller);
        if (decision.allowed()) {
            route.allowed().increment();
        } else {
            route.denied().increment();
            log.debug("{} denied access to MeshExternalService {} by {}", caller, route.service(), decision.source());
        }
        if (!decision.allowed() && route.protocol().isHttp()) {
            state.stats().listener.forbidden().increment();
            RefusalLog.denied(accessLog, ctx.channel(), state.listenerName(), route.service(), caller.uri());
            DeniedHttpResponder.install(ctx.pipeline(), ctx.name(), route.protocol());
            ctx.pipeline().remove(this);
            return;
        }
        if (route.http() != null) {
            // The caller's HTTP inside the tunnel (HTTP/1.1, or h2 with prior knowledge) is proxied per request.
            ctx.pipeline().addAfter(ctx.name(), "close-notify", new CloseNotifyHandler());
            ctx.pipeline().addLast("http", route.http());
            ctx.pipeline().remove(this);
            return;
        }
        TcpProxyTarget target = new TcpProxyTarget(state.listenerName(), state.stats().listener, route.cluster(),
                !decision.allowed(), caller.uri());
        ctx.pipeline().addAfter(ctx.name(), "tcp-proxy",
                new TcpProxyHandler(target, state.connector(), accessLog, null));
        ctx.pipeline().addAfter(ctx.name(), "close-notify", new CloseNotifyHandler());
        // The proxy handler starts from channelActive, which has passed: replay it to it alone.
        ctx.fireChannelActive();
        ctx.pipeline().remove(this);
    }

    /** The verification failure in a handshake failure's causes (some engines wrap the one we threw). */
    private static VerifyFailure fromCause(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof io.sallyport.egress.identity.SpiffeSanException) {
                return VerifyFailure.SAN;
            }
            if (t instanceof java.security.cert.CertificateException
                    || t instanceof java.security.cert.CertPathValidatorException) {
                return VerifyFailure.CHAIN;
            }
        }
        return null;
    }

    /** The client's chain, empty when it sent none. */
    private X509Certificate[] peerChain() {
        Certificate[] peer;
        try {
            peer = ssl.engine().getSession().getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return new X509Certificate[0];
        }
        X509Certificate[] out = new X509Certificate[peer.length];
        for (int i = 0; i < peer.length; i++) {
            if (!(peer[i] instanceof X509Certificate x)) {
                return new X509Certificate[0];
            }
            out[i] = x;
        }
        return out;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
