package io.sallyport.core.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The end of a downstream HTTP/1.1 pipeline (requests one after another, pipelining allowed). It turns each
 * request into a {@link ProxyExchange}, answers malformed and oversized requests itself, and passes reads,
 * writability and closure to the current exchange, for which it is the {@link Downstream}.
 *
 * <p>It also keeps the connection's idle timeout (closed when no request was in flight and nothing was read
 * or left to write for that long). An {@code IdleStateHandler} would stamp the clock and add a listener on
 * every write (turning even void promises into real ones); here the clock is read once per read batch and
 * per exchange, and one timer per connection is re-armed lazily, about once per timeout period.
 */
final class DownstreamHandler extends ChannelInboundHandlerAdapter implements Downstream {

    private final HttpConnectionManager manager;
    private ChannelHandlerContext ctx;
    private ProxyExchange current;
    private ArrayDeque<HttpObject> pipelined;
    /** The client ended its input (half-close): close once the requests read so far are answered. */
    private boolean inputShutdown;
    private boolean closing;
    /** The connection idle timeout, 0 for none. */
    private final long idleTimeoutNanos;
    /** The last activity ({@link System#nanoTime()}): a read, or the end of an exchange. */
    private long lastActivityNanos;
    private ScheduledFuture<?> idleTimer;
    /** The bytes waiting to be written at the last idle check, -1 when not counted. */
    private long lastPendingWriteBytes = -1;
    private ExchangeDeadlines deadlines;
    /** Between a channelRead and its channelReadComplete. */
    private boolean inRead;
    private String remoteAddress;

    DownstreamHandler(HttpConnectionManager manager) {
        this.manager = manager;
        this.idleTimeoutNanos = manager.limits().idleTimeout().toNanos();
    }

    @Override
    public HttpConnectionManager manager() {
        return manager;
    }

    @Override
    public boolean isHttp2() {
        return false;
    }

    @Override
    public io.netty.channel.Channel connection() {
        return ctx.channel();
    }

    @Override
    public io.netty.channel.ChannelFuture write(HttpObject msg) {
        return ctx.write(msg);
    }

    /** No promise per write: a failed write fires {@link #exceptionCaught}, which closes the connection. */
    @Override
    public void writeAndForget(HttpObject msg) {
        ctx.write(msg, ctx.voidPromise());
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    /** Looked up once per connection, not per request (a channel attribute lookup each). */
    @Override
    public ExchangeDeadlines deadlines() {
        ExchangeDeadlines d = deadlines;
        if (d == null) {
            d = ExchangeDeadlines.of(ctx.channel());
            deadlines = d;
        }
        return d;
    }

    @Override
    public String remoteAddress() {
        String a = remoteAddress;
        if (a == null) {
            a = ProxyExchange.remoteAddress(ctx.channel());
            remoteAddress = a;
        }
        return a;
    }

    @Override
    public void read() {
        ctx.read();
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void abort() {
        ctx.close();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (idleTimeoutNanos > 0) {
            lastActivityNanos = System.nanoTime();
            idleTimer = ctx.executor().schedule(this::idleCheck, idleTimeoutNanos, TimeUnit.NANOSECONDS);
        }
        if (ctx.channel().isActive()) {
            ctx.read();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // An upgraded connection (a tunnel now) has no idle timeout, as Envoy's upgrades.
        cancelIdleTimer();
    }

    private void cancelIdleTimer() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    /**
     * The idle timer: closes the connection when it has been idle for the timeout, else waits for the rest.
     * Idle means no request in flight, nothing read, and no progress writing (a response left to a client
     * that stopped reading does not keep the connection open for ever, one it is still taking does).
     */
    private void idleCheck() {
        idleTimer = null;
        if (ctx.isRemoved() || !ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        long wait;
        if (current != null) {
            // Busy: the exchange's end restarts the period.
            lastPendingWriteBytes = -1;
            wait = idleTimeoutNanos;
        } else {
            long pending = pendingWriteBytes();
            if (pending > 0 && pending != lastPendingWriteBytes) {
                lastActivityNanos = now; // written since the last check (or new output)
            }
            lastPendingWriteBytes = pending;
            long idle = now - lastActivityNanos;
            if (idle >= idleTimeoutNanos) {
                ctx.close();
                return;
            }
            wait = idleTimeoutNanos - idle;
        }
        idleTimer = ctx.executor().schedule(this::idleCheck, wait, TimeUnit.NANOSECONDS);
    }

    private long pendingWriteBytes() {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.read();
        super.channelActive(ctx);
    }

    @Override
    public boolean flushFollows() {
        return inRead;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inRead = true;
        if (!(msg instanceof HttpObject http) || closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (current != null && current.requestComplete()) {
            // An HTTP/1.1 client pipelined the next request: it waits for the current response.
            if (pipelined == null) {
                pipelined = new ArrayDeque<>(4);
            }
            pipelined.add(http);
            return;
        }
        dispatch(http);
    }

    private void dispatch(HttpObject msg) {
        if (msg instanceof HttpRequest req) {
            if (current != null) {
                // Cannot happen with a well-behaved codec; refuse rather than mix two exchanges.
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            if (req.decoderResult().isFailure()) {
                rejectMalformed(req, req.decoderResult().cause());
                return;
            }
            if (req.headers().size() > manager.limits().maxRequestHeaders()) {
                reject(req, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "too many request headers");
                return;
            }
            current = new ProxyExchange(this, req);
            current.start();
        } else if (msg instanceof HttpContent content) {
            ProxyExchange ex = current;
            if (ex != null) {
                ex.onRequestContent(content);
            } else {
                content.release();
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void rejectMalformed(HttpRequest req, Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException) {
            reject(req, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large");
        } else if (cause instanceof TooLongHttpLineException) {
            reject(req, HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long");
        } else if (cause instanceof TooLongFrameException) {
            reject(req, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large");
        } else {
            reject(req, HttpResponseStatus.BAD_REQUEST, "malformed request");
        }
    }

    /** Answers a request the proxy will not forward, then closes (the HTTP/1 parser state is unknown). */
    private void reject(HttpRequest req, HttpResponseStatus status, String message) {
        ReferenceCountUtil.release(req);
        closing = true;
        boolean head = HttpMethod.HEAD.equals(req.method());
        FullHttpResponse r = LocalReplies.http(ctx.alloc(), status, message, true, head);
        long sent = r.content().readableBytes();
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        logRejected(manager, ctx.channel(), req.method().name(), req.uri(), req.protocolVersion().text(),
                status.code(), sent);
    }

    /** The access-log entry of a request the proxy refused before routing it. */
    static void logRejected(HttpConnectionManager manager, io.netty.channel.Channel connection, String method,
                            String path, String protocol, int status, long bytesSent) {
        manager.accessLog().log(new HttpAccessLogEntry(Instant.now(), method, path, protocol, status, "DPE", 0,
                bytesSent, 0, -1, null, null, null, null, null, null, ProxyExchange.remoteAddress(connection),
                DownstreamPeer.uriSan(connection)));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inRead = false;
        if (idleTimeoutNanos > 0) {
            lastActivityNanos = System.nanoTime();
        }
        ProxyExchange ex = current;
        if (ex != null) {
            ex.onDownstreamReadComplete();
        } else if (!closing) {
            ctx.read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ProxyExchange ex = current;
        if (ex != null) {
            ex.onDownstreamWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        inRead = false;
        cancelIdleTimer();
        ProxyExchange ex = current;
        current = null;
        if (ex != null) {
            ex.onDownstreamClosed();
        }
        releasePipelined();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
            // The client half-closed (a channel accepted with ALLOW_HALF_CLOSURE): the requests it sent
            // are answered, then the connection closes.
            inputShutdown = true;
            if (current == null && (pipelined == null || pipelined.isEmpty())) {
                ctx.close();
            }
            return;
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // I/O errors (reset by peer) and stream errors: the exchange learns it from channelInactive.
        ctx.close();
    }

    @Override
    public void exchangeDone(ProxyExchange ex, boolean keepAlive, io.netty.channel.ChannelFuture lastWrite) {
        if (current != ex) {
            return;
        }
        current = null;
        if (idleTimeoutNanos > 0) {
            lastActivityNanos = System.nanoTime();
        }
        if (!keepAlive) {
            closing = true;
            releasePipelined();
            closeAfterWrites(lastWrite);
            return;
        }
        ctx.flush();
        while (current == null && pipelined != null && !pipelined.isEmpty() && !closing) {
            dispatch(pipelined.poll());
            while (current != null && !current.requestComplete() && !pipelined.isEmpty()) {
                // The rest of this request's body was read with it.
                dispatch(pipelined.poll());
            }
        }
        if (current == null && !closing) {
            if (inputShutdown) {
                closing = true;
                closeAfterWrites(lastWrite);
            } else {
                ctx.read();
            }
        }
    }

    /**
     * Flushes and closes once the response is written: after {@code lastWrite} when the exchange kept its
     * future, else after an empty write queued behind everything written so far.
     */
    private void closeAfterWrites(io.netty.channel.ChannelFuture lastWrite) {
        if (lastWrite != null) {
            ctx.flush();
            if (lastWrite.isDone()) {
                ctx.close();
            } else {
                lastWrite.addListener(f -> ctx.close());
            }
        } else {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ctx.close());
        }
    }

    @Override
    public void upgraded(ProxyExchange ex) {
        if (current == ex) {
            current = null;
        }
        closing = true;
        releasePipelined();
    }

    private void releasePipelined() {
        if (pipelined != null) {
            HttpObject o;
            while ((o = pipelined.poll()) != null) {
                ReferenceCountUtil.release(o);
            }
        }
    }
}
