package io.sallyport.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * After an upstream {@code 101 Switching Protocols} (WebSocket over HTTP/1.1), turns the downstream and
 * upstream connections into a byte relay: the HTTP codecs leave both pipelines and each side reads only
 * while the other can write. The upstream connection leaves its pool for good.
 */
final class UpgradeTunnel {

    private UpgradeTunnel() {
    }

    /** Rewires both pipelines; call after the 101 response was written downstream, on the shared event loop. */
    static void start(Channel downstream, Channel upstream) {
        Relay toUpstream = new Relay(upstream);
        Relay toDownstream = new Relay(downstream);
        rewire(upstream.pipeline(), toDownstream);
        rewire(downstream.pipeline(), toUpstream);
        downstream.config().setAutoRead(true);
        upstream.config().setAutoRead(true);
        if (!downstream.isActive()) {
            upstream.close();
        } else if (!upstream.isActive()) {
            downstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static void rewire(ChannelPipeline p, Relay relay) {
        for (String name : p.names()) {
            // Our handlers and the idle timers go; the TLS handler (if any) and the codec stay until last.
            if (name.equals("upstream") || name.equals("http1-handler") || name.equals("idle")
                    || name.equals("http1-continue")) {
                p.remove(name);
            }
        }
        p.addLast("tunnel", relay);
        // Removing a codec hands its buffered bytes to the relay.
        for (String name : new String[] {"http1", "http1-codec"}) {
            if (p.get(name) != null) {
                p.remove(name);
            }
        }
    }

    /** Writes what one side reads to the other, pausing reads while the other side is not writable. */
    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel peer;

        Relay(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Object bytes = msg;
            if (msg instanceof HttpContent c) {
                // The end of the 101 response from the HTTP codec, or bytes it decoded with it.
                bytes = c.content().isReadable() ? c.content().retain() : null;
                c.release();
            } else if (!(msg instanceof ByteBuf)) {
                ReferenceCountUtil.release(msg);
                bytes = null;
            }
            if (bytes == null) {
                return;
            }
            if (!peer.isActive()) {
                ReferenceCountUtil.release(bytes);
                return;
            }
            peer.write(bytes);
            if (!peer.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            peer.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                peer.config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
