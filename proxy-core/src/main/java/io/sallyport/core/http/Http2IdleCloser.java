package io.sallyport.core.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP/2 connection that has had no open stream for the idle timeout (from its start, or from the
 * end of its last stream). It follows the streams through the connection's listener and one timer, rather
 * than stamping every read and write as {@code IdleStateHandler} would (a listener on each write's promise).
 * The HTTP/2 handler after it calls {@link #watch} when it is added.
 */
final class Http2IdleCloser extends ChannelInboundHandlerAdapter {

    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private Http2Connection connection;
    private long idleSince;
    private ScheduledFuture<?> timer;

    Http2IdleCloser(Duration idleTimeout) {
        this.timeoutNanos = idleTimeout.toNanos();
    }

    /** Follows {@code connection}'s streams: the idle time starts again when one ends. */
    void watch(Http2Connection connection) {
        this.connection = connection;
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                idleSince = ctx.executor().ticker().nanoTime();
                if (timer == null) {
                    arm(timeoutNanos);
                }
            }
        });
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        idleSince = ctx.executor().ticker().nanoTime();
        if (ctx.channel().isActive()) {
            arm(timeoutNanos);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        idleSince = ctx.executor().ticker().nanoTime();
        if (timer == null) {
            arm(timeoutNanos);
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void arm(long delayNanos) {
        timer = ctx.executor().schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void check() {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        if (connection != null && connection.numActiveStreams() > 0) {
            return; // armed again when a stream ends
        }
        long idle = ctx.executor().ticker().nanoTime() - idleSince;
        if (idle >= timeoutNanos) {
            ctx.close();
        } else {
            arm(timeoutNanos - idle);
        }
    }
}
