package io.sallyport.listeners.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;

/**
 * The first handler of a downstream HTTP connection accepted with half-closure allowed (the listeners
 * allow it for TCP relaying): when the client ends its input, an HTTP/1 connection is left to the HTTP
 * handler (it answers the requests already read, then closes); any other (HTTP/2, or nothing decided
 * yet) is closed at once, since nothing else would close it before its idle timeout. Reads asked for
 * after the end of input are dropped: there is nothing left to read, and the epoll transport fails them.
 */
@ChannelHandler.Sharable
public final class CloseOnInputShutdown extends ChannelDuplexHandler {

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

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (ctx.channel() instanceof DuplexChannel d && d.isInputShutdown()) {
            return;
        }
        ctx.read();
    }
}
