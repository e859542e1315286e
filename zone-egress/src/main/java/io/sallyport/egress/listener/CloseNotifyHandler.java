package io.sallyport.egress.listener;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;

/**
 * Behind the egress's mesh {@code SslHandler}: a caller's {@code close_notify} is the end of its stream,
 * passed on as a {@link ChannelInputShutdownEvent} so the relay half-closes the service's side then (a
 * sidecar relays its application's half-close this way). The TCP FIN that usually follows is not
 * reported a second time.
 */
final class CloseNotifyHandler extends ChannelInboundHandlerAdapter {

    private boolean inputEnded;

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslCloseCompletionEvent close) {
            if (close.isSuccess() && !inputEnded) {
                inputEnded = true;
                ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            }
            return;
        }
        if (evt instanceof ChannelInputShutdownEvent) {
            if (inputEnded) {
                return;
            }
            inputEnded = true;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
