package io.sallyport.core.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of an upstream HTTP/1.1 connection or HTTP/2 stream: hands events to the exchange
 * currently using it. A pooled, idle HTTP/1.1 connection has no exchange; anything it receives then
 * (unsolicited bytes, idle timeout) closes it.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

    private UpstreamListener listener;
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

    /** Marks the connection as serving another request; true the first time (when the mark is new). */
    boolean markReused() {
        if (reused) {
            return false;
        }
        reused = true;
        return true;
    }

    void attach(UpstreamListener listener) {
        this.listener = listener;
    }

    void detach() {
        this.listener = null;
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
        UpstreamListener l = listener;
        try {
            if (evt instanceof IdleStateEvent) {
                if (l == null) {
                    ctx.close();
                }
            } else if (evt instanceof Http2GoAwayFrame) {
                // Delivered to streams above the peer's last stream id: never processed.
                if (l != null) {
                    l.onUpstreamRefused();
                }
            } else if (evt instanceof Http2ResetFrame reset) {
                if (l != null) {
                    if (reset.errorCode() == Http2Error.REFUSED_STREAM.code()) {
                        l.onUpstreamRefused();
                    } else {
                        l.onUpstreamReset(reset.errorCode());
                    }
                }
            }
        } finally {
            ReferenceCountUtil.release(evt);
        }
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
