package io.sallyport.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * Tells HTTP/2 with prior knowledge from HTTP/1.x by the first bytes of a connection: the 24-byte HTTP/2
 * connection preface, or anything else. It reads no more than the preface, then replaces itself with the
 * matching pipeline, which receives every byte read so far.
 */
final class HttpProtocolDetector extends ByteToMessageDecoder {

    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final HttpConnectionManager manager;
    private io.netty.util.concurrent.ScheduledFuture<?> idle;

    HttpProtocolDetector(HttpConnectionManager manager) {
        this.manager = manager;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        java.time.Duration timeout = manager.limits().idleTimeout();
        if (!timeout.isZero()) {
            // A connection that never says which protocol it speaks is idle like any other.
            idle = ctx.executor().schedule(() -> {
                ctx.close();
            }, timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        }
        if (ctx.channel().isActive()) {
            ctx.read();
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (idle != null) {
            idle.cancel(false);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.read();
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        boolean prefixMatches = io.netty.buffer.ByteBufUtil.equals(in, in.readerIndex(), PREFACE, 0, n);
        if (prefixMatches && n < PREFACE.readableBytes()) {
            return; // need more bytes to decide
        }
        String name = ctx.name();
        if (prefixMatches) {
            manager.configureHttp2(ctx.channel(), name);
        } else {
            manager.configureHttp1(ctx.pipeline(), name);
        }
        // Removing a ByteToMessageDecoder hands its buffered bytes to the next handler.
        ctx.pipeline().remove(this);
    }
}
