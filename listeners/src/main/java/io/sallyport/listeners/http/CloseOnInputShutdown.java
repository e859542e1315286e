package io.sallyport.listeners.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * The first handler of a downstream HTTP connection accepted with half-closure allowed (the listeners
 * allow it for TCP relaying): when the client ends its input, an HTTP/1 connection is left to the HTTP
 * handler (it answers the requests already read, then closes); any other (HTTP/2, or nothing decided
 * yet) is closed at once, since nothing else would close it before its idle timeout.
 */
@ChannelHandler.Sharable
public final class CloseOnInputShutdown extends ChannelInboundHandlerAdapter {

    /** The one instance. */
    public static final CloseOnInputShutdown INSTANCE = new CloseOnInputShutdown();

    /** The name the connection manager gives its HTTP/1 handler. */
    private static final String HTTP1_HANDLER = "http1-handler";

    private CloseOnInputShutdown() {
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent && ctx.pipeline().get(HTTP1_HANDLER) == null) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
