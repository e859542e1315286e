package io.sallyport.core.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of an upstream HTTP/1.1 connection, and the connection's {@link UpstreamLink}: hands
 * events to the exchange currently using it. A pooled, idle connection has no exchange; anything it
 * receives then (unsolicited bytes, idle timeout) closes it.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter implements UpstreamLink {

    private UpstreamListener listener;
    private Channel channel;
    /** The pooled HTTP/1.1 connection's endpoint (its pool key), else {@code null}. */
    private UpstreamEndpoint endpoint;
    private boolean reused;
    private long idleSince;

    /** The handler at the end of {@code ch}'s pipeline (found without walking it), or {@code null}. */
    static UpstreamHandler of(Channel ch) {
        ChannelHandler last = ch.pipeline().last();
        return last instanceof UpstreamHandler h ? h : ch.pipeline().get(UpstreamHandler.class);
    }

    UpstreamHandler() {
    }

    UpstreamHandler(UpstreamEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    UpstreamEndpoint endpoint() {
        return endpoint;
    }

    /** When the pooled connection last went idle ({@link System#nanoTime()}). */
    long idleSince() {
        return idleSince;
    }

    void idleSince(long nanos) {
        idleSince = nanos;
    }

    /** Marks the connection as serving another request. */
    void markReused() {
        reused = true;
    }

    @Override
    public boolean isReused() {
        return reused;
    }

    @Override
    public void attach(UpstreamListener listener) {
        this.listener = listener;
    }

    @Override
    public void detach() {
        this.listener = null;
    }

    @Override
    public Channel channel() {
        return channel;
    }

    /** No promise per write: a failed write fires {@link #exceptionCaught}, which tells the exchange. */
    @Override
    public void write(HttpObject msg) {
        channel.write(msg, channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public void read() {
        channel.read();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamListener l = listener;
        if (l != null && msg instanceof HttpObject http) {
            l.onUpstreamRead(http);
        } else {
            ReferenceCountUtil.release(msg);
            if (l == null) {
                ctx.close();
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        listener = null;
        if (l != null) {
            l.onUpstreamInactive();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && listener == null) {
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamException(cause);
        } else {
            ctx.close();
        }
    }
}
