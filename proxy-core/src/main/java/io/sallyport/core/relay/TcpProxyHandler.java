package io.sallyport.core.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.epoll.EpollInterestPin;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.sallyport.core.accesslog.AccessLog;
import io.sallyport.core.accesslog.ResponseFlag;
import io.sallyport.core.cluster.Cluster;
import io.sallyport.core.upstream.UpstreamConnectException;
import io.sallyport.core.upstream.UpstreamConnection;
import io.sallyport.core.upstream.UpstreamConnector;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * The first handler of an accepted downstream connection (auto-read off): refuses it when the Mesh
 * forbids access ({@code NR}, counted in {@code envoy_listener_downstream_cx_forbidden}) or the service
 * is gone, otherwise connects the target cluster on the connection's own event loop and replaces itself
 * with a {@link TcpRelayHandler} (and one on the upstream channel), which splice when both are plain
 * epoll TCP sockets. Nothing is read from the client before the upstream is ready, so a refused or failed
 * connection forwards no byte.
 */
public final class TcpProxyHandler extends ChannelInboundHandlerAdapter {

    private final TcpProxyTarget target;
    private final UpstreamConnector connector;
    private final AccessLog accessLog;
    private final Runnable onEnd;
    private TcpProxySession session;
    private Promise<UpstreamConnection> connect;
    /** Read before the upstream was ready (epoll reads on peer half-close even with auto-read off). */
    private ArrayDeque<Object> early;
    private boolean earlyInputShutdown;

    /**
     * @param onEnd run once when the session has ended (both sides closed); may be {@code null}
     */
    public TcpProxyHandler(TcpProxyTarget target, UpstreamConnector connector, AccessLog accessLog, Runnable onEnd) {
        this.target = Objects.requireNonNull(target, "target");
        this.connector = Objects.requireNonNull(connector, "connector");
        this.accessLog = Objects.requireNonNull(accessLog, "accessLog");
        this.onEnd = onEnd;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel downstream = ctx.channel();
        // Before the client can half-close: a half-closed epoll channel must stay writable (see the pin).
        EpollInterestPin.pin(downstream);
        session = new TcpProxySession(downstream, target, accessLog, onEnd);
        Cluster cluster = target.cluster();
        if (target.forbidden() || cluster == null) {
            if (target.forbidden()) {
                target.listenerStats().forbidden().increment();
            } else {
                target.listenerStats().noFilterChainMatch().increment();
            }
            session.flag(ResponseFlag.NR);
            ctx.close();
            return;
        }
        session.connecting(true);
        connect = connector.connect(cluster, downstream.eventLoop());
        connect.addListener((Future<UpstreamConnection> f) -> connected(ctx, f));
        ctx.fireChannelActive();
    }

    private void connected(ChannelHandlerContext ctx, Future<UpstreamConnection> f) {
        Channel downstream = ctx.channel();
        if (!f.isSuccess()) {
            if (f.isCancelled()) {
                session.flag(ResponseFlag.DC);
            } else if (f.cause() instanceof UpstreamConnectException e) {
                session.flag(e.flag());
                session.transportFailureReason(e.transportFailureReason());
            } else {
                session.flag(ResponseFlag.UF);
            }
            releaseEarly();
            downstream.close();
            session.connecting(false);
            return;
        }
        UpstreamConnection upstream = f.getNow();
        session.upstreamConnected(upstream);
        session.connecting(false);
        if (!downstream.isActive()) {
            upstream.channel().close();
            return;
        }
        Channel up = upstream.channel();
        TcpRelayHandler upRelay = new TcpRelayHandler(downstream, session, false);
        up.pipeline().addLast("relay", upRelay);
        Duration idle = target.cluster().spec().idleTimeout();
        if (!idle.isZero()) {
            session.idleTimeout(idle, () -> {
                downstream.close();
                up.close();
            });
        }
        ArrayDeque<Object> pending = early;
        early = null;
        TcpRelayHandler relay = new TcpRelayHandler(up, session, true);
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.replace(this, "relay", relay);
        replayEarly(relay, pipeline.context(relay), pending);
        // After the replay: bytes read before the relay started are queued to the upstream ahead of any spliced.
        TcpRelayHandler.spliceIfPossible(downstream, relay, up, upRelay, session);
    }

    /**
     * Hands what arrived while connecting to the relay, in order, as if read now. Delivered to the relay
     * itself, not from the pipeline's head: handlers in front of it (a TLS terminator at the zone egress)
     * have already processed these messages.
     */
    private void replayEarly(TcpRelayHandler relay, ChannelHandlerContext relayCtx, ArrayDeque<Object> pending) {
        if (relayCtx == null) {
            if (pending != null) {
                pending.forEach(ReferenceCountUtil::release);
            }
            return;
        }
        if (pending != null) {
            Object msg;
            while ((msg = pending.poll()) != null) {
                relay.channelRead(relayCtx, msg);
            }
            relay.channelReadComplete(relayCtx);
        }
        if (earlyInputShutdown) {
            relay.userEventTriggered(relayCtx, ChannelInputShutdownEvent.INSTANCE);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (connect == null || !ctx.channel().isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (early == null) {
            early = new ArrayDeque<>(2);
        }
        early.add(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Not forwarded: nothing downstream of this handler reads yet.
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            earlyInputShutdown = true;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseEarly();
    }

    private void releaseEarly() {
        if (early != null) {
            Object msg;
            while ((msg = early.poll()) != null) {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseEarly();
        if (connect != null && !connect.isDone()) {
            connect.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
