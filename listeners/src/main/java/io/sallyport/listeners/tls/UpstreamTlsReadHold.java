package io.sallyport.listeners.tls;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Sits behind the upstream {@code SslHandler} and keeps the relay's view of the stream whole.
 *
 * <h3>Bytes decrypted before the relay is there</h3>
 * The {@code SslHandler} reads on its own during the handshake, and a server may send application data
 * right behind its last handshake message (a TLS 1.3 server speaking first sends it before our
 * Finished). Such data is decrypted before the connection is handed to the relay, with nobody behind to
 * take it. This handler holds it (and a close seen meanwhile) until the relay is there — its first
 * {@code read()} request, or a task queued when the handshake succeeded — and then replays it in order.
 * Held buffers are released when the handler is removed.
 *
 * <h3>close_notify is the end of the server's stream</h3>
 * A server's {@code close_notify} is passed on as a {@link ChannelInputShutdownEvent}, as Envoy treats
 * it, so the relay half-closes the downstream connection then, not only at TCP FIN. The TCP FIN that
 * usually follows is not reported a second time; it closes the channel when our side of the stream is
 * already shut too.
 */
public final class UpstreamTlsReadHold extends ChannelDuplexHandler {

    private ChannelHandlerContext ctx;
    private ArrayDeque<Object> held;
    private boolean released;
    private boolean endOfInputFired;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (released) {
            ctx.fireChannelRead(msg);
            return;
        }
        hold(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (released) {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        boolean closeNotify = evt instanceof SslCloseCompletionEvent c && c.isSuccess();
        if (closeNotify || evt instanceof ChannelInputShutdownEvent) {
            if (endOfInputFired) {
                if (!closeNotify && ctx.channel() instanceof DuplexChannel d && d.isOutputShutdown()) {
                    ctx.close();
                }
            } else {
                endOfInputFired = true;
                if (released) {
                    ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                } else {
                    hold(ChannelInputShutdownEvent.INSTANCE);
                }
            }
            if (closeNotify) {
                ctx.fireUserEventTriggered(evt);
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        // A read request from behind means the relay is in place.
        release();
        ctx.read();
    }

    /**
     * Replays what was held and passes everything on from now on. Called on the first read request
     * from behind, and in a task queued once the handshake succeeded (by then the relay is installed),
     * for a relay that does not ask because the server already closed its side.
     */
    public void release() {
        if (released || ctx == null || ctx.isRemoved()) {
            return;
        }
        released = true;
        ArrayDeque<Object> pending = held;
        held = null;
        if (pending == null) {
            return;
        }
        boolean data = false;
        Object o;
        while ((o = pending.poll()) != null) {
            if (o == ChannelInputShutdownEvent.INSTANCE) {
                if (data) {
                    ctx.fireChannelReadComplete();
                    data = false;
                }
                ctx.fireUserEventTriggered(o);
            } else {
                ctx.fireChannelRead(o);
                data = true;
            }
        }
        if (data) {
            // The relay flushes the peer here and asks for the next read.
            ctx.fireChannelReadComplete();
        }
    }

    private void hold(Object msg) {
        if (held == null) {
            held = new ArrayDeque<>(2);
        }
        held.add(msg);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (held != null) {
            Object o;
            while ((o = held.poll()) != null) {
                ReferenceCountUtil.release(o);
            }
            held = null;
        }
    }
}
