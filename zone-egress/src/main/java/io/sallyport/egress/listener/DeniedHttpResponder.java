package io.sallyport.egress.listener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.sallyport.core.config.Protocol;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Answers a denied caller of an HTTP MeshExternalService the way Envoy's RBAC filter does, inside the
 * mesh tunnel and without contacting the service: HTTP/1.1 ({@code http}) gets {@code 403} with
 * {@code RBAC: access denied} and the connection closes; HTTP/2 ({@code http2}, {@code grpc}) gets
 * {@code 403} on every stream, or for gRPC requests a trailers-only answer with {@code grpc-status: 7}
 * (PERMISSION_DENIED). Request bodies are read and dropped. An idle connection is closed after a while.
 */
final class DeniedHttpResponder {

    static final String BODY = "RBAC: access denied";
    private static final int IDLE_SECONDS = 30;

    private DeniedHttpResponder() {
    }

    /** Adds the responder behind {@code after} (the mesh TLS side of the pipeline). */
    static void install(ChannelPipeline pipeline, String after, Protocol protocol) {
        pipeline.addAfter(after, "denied-idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
        if (protocol == Protocol.HTTP) {
            pipeline.addAfter("denied-idle", "denied-codec", new HttpServerCodec());
            pipeline.addAfter("denied-codec", "denied-403", new Http1());
        } else {
            pipeline.addAfter("denied-idle", "denied-codec", Http2FrameCodecBuilder.forServer().build());
            pipeline.addAfter("denied-codec", "denied-403", new Http2());
        }
    }

    private abstract static class Reading extends ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.read(); // auto-read is off
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (ctx.channel().isActive()) {
                ctx.read();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static final class Http1 extends Reading {
        private boolean answered;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean request = msg instanceof HttpRequest;
            ReferenceCountUtil.release(msg);
            if (request && !answered) {
                answered = true;
                ByteBuf body = Unpooled.copiedBuffer(BODY, StandardCharsets.UTF_8);
                FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FORBIDDEN, body);
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    private static final class Http2 extends Reading {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame h && h.stream() != null) {
                    answer(ctx, h);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private static void answer(ChannelHandlerContext ctx, Http2HeadersFrame request) {
            CharSequence type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
            boolean grpc = type != null && type.toString().startsWith("application/grpc");
            Http2Headers headers = new DefaultHttp2Headers();
            if (grpc) {
                headers.status("200").set(HttpHeaderNames.CONTENT_TYPE, "application/grpc")
                        .set("grpc-status", "7").set("grpc-message", "RBAC: access denied");
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true).stream(request.stream()));
            } else {
                ByteBuf body = Unpooled.copiedBuffer(BODY, StandardCharsets.UTF_8);
                headers.status("403").set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
                ctx.write(new DefaultHttp2HeadersFrame(headers, false).stream(request.stream()));
                ctx.writeAndFlush(new DefaultHttp2DataFrame(body, true).stream(request.stream()));
            }
        }
    }
}
