package io.sallyport.core.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns one aggregated HTTP request into an {@link AdminRequest}, dispatches it, writes the answer. */
final class AdminHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    private final AdminRoutes routes;

    AdminHttpHandler(AdminRoutes routes) {
        this.routes = routes;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (req.decoderResult().isFailure()) {
            write(ctx, AdminResponse.text(400, "bad request\n"), false, null);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        AdminRequest request = new AdminRequest(
                req.method(), uri.path(), uri.parameters(), req.content().toString(StandardCharsets.UTF_8));
        AdminResponse response;
        try {
            response = routes.dispatch(request);
        } catch (Exception e) {
            log.warn("admin {} {} failed: {}", req.method(), uri.path(), e.toString());
            response = AdminResponse.text(500, "internal error: " + e.getMessage() + "\n");
        }
        String allow = response.status() == 405 ? String.join(", ", routes.allowed(request.path())) : null;
        write(ctx, response, HttpUtil.isKeepAlive(req), allow);
    }

    private static void write(ChannelHandlerContext ctx, AdminResponse r, boolean keepAlive, String allow) {
        FullHttpResponse res = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()), Unpooled.wrappedBuffer(r.body()));
        res.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, r.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache, max-age=0")
                .set("X-Content-Type-Options", "nosniff");
        if (allow != null) {
            res.headers().set(HttpHeaderNames.ALLOW, allow);
        }
        if (!keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ChannelFuture f = ctx.writeAndFlush(res);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
        Runnable after = r.afterSent();
        if (after != null) {
            f.addListener(done -> after.run());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection error: {}", cause.toString());
        ctx.close();
    }
}
