package io.sallyport.listeners.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * The first handler of a downstream HTTP connection accepted with half-closure allowed (the listeners
 * allow it for TCP relaying): the client's end of input closes the connection, as Envoy's HTTP connection
 * manager does (HTTP has no use for a half-open downstream, and the HTTP handlers do not act on the event:
 * the connection would stay open until its idle timeout). It sits before them, so it sees the event first.
 */
@ChannelHandler.Sharable
public final class CloseOnInputShutdown extends ChannelInboundHandlerAdapter {

    /** The one instance. */
    public static final CloseOnInputShutdown INSTANCE = new CloseOnInputShutdown();

    private CloseOnInputShutdown() {
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
