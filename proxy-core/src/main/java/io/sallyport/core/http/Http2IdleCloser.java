package io.sallyport.core.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Closes an HTTP/2 connection that carried no frame for the idle timeout while it had no open stream. */
final class Http2IdleCloser extends IdleStateHandler {

    Http2IdleCloser(Duration idleTimeout) {
        super(0, 0, idleTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        Http2ConnectionHandler codec = ctx.pipeline().get(Http2ConnectionHandler.class);
        if (codec == null || codec.connection().numActiveStreams() == 0) {
            ctx.close();
        }
    }
}
