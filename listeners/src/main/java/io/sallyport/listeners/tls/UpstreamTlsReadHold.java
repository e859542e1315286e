package io.sallyport.listeners.tls;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.SSL;
import io.netty.util.concurrent.Future;
import io.sallyport.core.relay.OutputCloser;
import io.netty.util.ReferenceCountUtil;
import io.sallyport.tls.TlsFailureReason;
import java.util.ArrayDeque;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits behind the upstream {@code SslHandler} and keeps the relay's view of the stream whole.
 *
 * <h3>Bytes decrypted before the relay is there</h3>
 * The {@code SslHandler} reads on its own during the handshake, and a server may send application data
 * right behind its last handshake message (a TLS 1.3 server speaking first sends it before our
 * Finished). Such data is decrypted before the connection is handed to the relay, with nobody behind to
 * take it. This handler holds it (and a close seen meanwhile) until the relay is there — its first
 * {@code read()} request, or a task queued when the handshake succeeded — and then replays it in order.
 * Held buffers are released when the handler is removed. Until then, exceptions (the handshake failure,
 * already reported through the handshake future) close the channel instead of reaching the pipeline's end.
 *
 * <h3>Half-close through TLS</h3>
 * As the relay's {@link OutputCloser} it sends close_notify when the client half-closes, keeping the
 * server's direction readable with either engine (see {@link #closeOutput}).
 *
 * <h3>close_notify is the end of the server's stream</h3>
 * A server's {@code close_notify} is passed on as a {@link ChannelInputShutdownEvent}, as Envoy treats
 * it, so the relay half-closes the downstream connection then, not only at TCP FIN. The TCP FIN that
 * usually follows is not reported a second time; it closes the channel when our side of the stream is
 * already shut too.
 */
public final class UpstreamTlsReadHold extends ChannelDuplexHandler implements OutputCloser {

    /** Names the connection in the log line of a TLS failure after the handshake. */
    public UpstreamTlsReadHold(String cluster, String endpoint) {
        this.cluster = cluster;
        this.endpoint = endpoint;
    }

    private static final Logger log = LoggerFactory.getLogger(UpstreamTlsReadHold.class);

    private final String cluster;
    private final String endpoint;
    private boolean failureLogged;
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

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (released) {
            TlsFailureReason reason = TlsFailureReason.of(cause);
            if (!failureLogged && isTls(cause)) {
                // E.g. a TLS 1.3 server refusing our client certificate once our handshake is done.
                failureLogged = true;
                log.warn("upstream TLS connection failed after the handshake: cluster={} endpoint={} reason={}: {}",
                        cluster, endpoint, reason.logName(), cause.getMessage());
            }
            ctx.fireExceptionCaught(cause);
            return;
        }
        // A handshake failure: its future carries it to the initializer, which counts and logs it once.
        ctx.close();
    }

    /**
     * Sends close_notify when the relay half-closes towards the server. Netty's OpenSSL engine takes its
     * own close_notify for the end of both directions (every record read afterwards is reported as
     * closed and dropped), which would cut off the server's answer to a client that half-closed; so
     * with that engine BoringSSL sends the close_notify itself and the engine reads on until the
     * server's close_notify, as Envoy does. The JDK engine keeps reading after its own close_notify.
     */
    @Override
    public Future<?> closeOutput() {
        SslHandler ssl = ctx == null ? null : ctx.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return ctx.newSucceededFuture();
        }
        if (ssl.engine() instanceof ReferenceCountedOpenSslEngine engine) {
            synchronized (engine) {
                long pointer = engine.isOutboundDone() ? 0 : engine.sslPointer();
                if (pointer != 0 && (SSL.getShutdown(pointer) & SSL.SSL_SENT_SHUTDOWN) == 0
                        && SSL.shutdownSSL(pointer) >= 0) {
                    // The close_notify waits in the engine's buffer: an empty write flushes it out.
                    return ctx.writeAndFlush(Unpooled.EMPTY_BUFFER);
                }
                SSL.clearError();
            }
        }
        return ssl.closeOutbound();
    }

    private static boolean isTls(Throwable cause) {
        int depth = 0;
        for (Throwable t = cause; t != null && depth < 8; t = t.getCause(), depth++) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
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
