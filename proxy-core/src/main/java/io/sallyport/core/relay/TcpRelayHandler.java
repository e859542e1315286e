package io.sallyport.core.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollInterestPin;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.epoll.EpollSpliceHook;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * Relays bytes from its channel to a peer channel; a session has two, one on each side.
 *
 * <h3>Flow control</h3>
 * The channel runs with auto-read off: after each read batch the peer is flushed and the next read is
 * requested only while the peer is writable. When the peer becomes writable again (its outbound buffer
 * fell below the low watermark) the handler on the peer asks this channel to read. A slow reader thus
 * stops the reads from the fast writer, and the memory a connection holds is bounded by the write buffer
 * watermarks plus one read.
 *
 * <h3>Half-close</h3>
 * With {@code ALLOW_HALF_CLOSURE}, end of input on this channel shuts the peer's output down once what
 * was written before has been flushed (after TLS close_notify when the peer speaks TLS: through the
 * peer's {@link OutputCloser} when it has one, else its {@code SslHandler}). A channel whose
 * input and output are both shut down is closed.
 *
 * <h3>Reference counting and closing</h3>
 * Every message read is written to the peer (which releases it) or released here. When either channel
 * closes, the other is flushed and closed; an exception or failed write closes both.
 *
 * <h3>Splice</h3>
 * When both channels are epoll TCP sockets with nothing but the relay in their pipelines (no TLS, no
 * sniffer left), each direction moves its bytes with {@code splice(2)} instead (see
 * {@link SplicedDirection}): the kernel's pipe bounds what is held, counts are taken per splice, and
 * half-close, errors and closing go through this handler as above. Bytes read before that (a sniffer's)
 * are written first.
 *
 * <h3>Epoll</h3>
 * A channel whose input was shut down may still have megabytes to write: on epoll it must stay in the
 * epoll set for that, which {@link EpollInterestPin} ensures.
 */
public final class TcpRelayHandler extends ChannelInboundHandlerAdapter {

    private final Channel peer;
    private final TcpProxySession session;
    private final boolean downstreamSide;
    /** After each write to the peer: notes the activity, or closes both channels when it failed. */
    private ChannelFutureListener afterWrite;
    /** Reads of this channel are spliced to the peer; no {@code channelRead} comes any more. */
    private boolean spliced;

    TcpRelayHandler(Channel peer, TcpProxySession session, boolean downstreamSide) {
        this.peer = peer;
        this.session = session;
        this.downstreamSide = downstreamSide;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Channel self = ctx.channel();
        // Usually done when the channel became active; a no-op then.
        EpollInterestPin.pin(self);
        afterWrite = f -> {
            if (f.isSuccess()) {
                session.active();
            } else {
                self.close();
                peer.close();
            }
        };
        if (self.isActive()) {
            readIfOpen(ctx);
        } else {
            closeOnFlush(peer);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            int n = buf.readableBytes();
            if (downstreamSide) {
                session.receivedFromDownstream(n);
            } else {
                session.receivedFromUpstream(n);
            }
        }
        if (!peer.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        peer.write(msg).addListener(afterWrite);
    }

    /**
     * Switches both directions of a session to splice when both channels allow it (see the class comment);
     * otherwise leaves the buffer relay on. Call on the event loop once both relays are installed and bytes
     * read before were handed to them.
     */
    static void spliceIfPossible(Channel downstream, TcpRelayHandler downstreamRelay, Channel upstream,
                                 TcpRelayHandler upstreamRelay, TcpProxySession session) {
        if (!spliceEnabled || !EpollSpliceHook.canSplice(downstream, upstream)
                || !relayOnly(downstream, downstreamRelay) || !relayOnly(upstream, upstreamRelay)
                || !downstream.isActive() || !upstream.isActive()) {
            return;
        }
        downstreamRelay.spliced = true;
        upstreamRelay.spliced = true;
        new SplicedDirection(downstream, upstream, session::receivedFromDownstream, session::active).start();
        new SplicedDirection(upstream, downstream, session::receivedFromUpstream, session::active).start();
    }

    /**
     * Whether splice may be used: on unless {@code -Dsallyport.relay.splice=false} (for comparing the two
     * relays), and off in the tests that cover the buffer relay on epoll.
     */
    static volatile boolean spliceEnabled = !"false".equals(System.getProperty("sallyport.relay.splice"));

    private static boolean relayOnly(Channel ch, TcpRelayHandler relay) {
        return ch.pipeline().first() == relay && ch.pipeline().last() == relay;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (spliced) {
            // Fired after each splice readiness: the spliced direction manages its own reads.
            ctx.fireChannelReadComplete();
            return;
        }
        peer.flush();
        if (peer.isWritable()) {
            readIfOpen(ctx);
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // This channel drained below its low watermark: the peer, which waits to write here, may read on.
        if (!spliced && ctx.channel().isWritable() && !inputShutdown(peer)) {
            peer.read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            if (spliced) {
                // Level-triggered read readiness of a shut input never stops: no more read interest.
                ctx.channel().config().setAutoRead(false);
            }
            shutdownPeerOutput(ctx.channel());
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** A channel whose input was shut down has nothing more to read: asking would only wake the loop. */
    private static void readIfOpen(ChannelHandlerContext ctx) {
        if (!inputShutdown(ctx.channel())) {
            ctx.read();
        }
    }

    private static boolean inputShutdown(Channel ch) {
        return ch instanceof DuplexChannel d && d.isInputShutdown();
    }

    private void shutdownPeerOutput(Channel self) {
        if (!(peer instanceof DuplexChannel duplex) || !peer.isActive()) {
            closeOnFlush(peer);
            closeIfBothDirectionsDone(self);
            return;
        }
        // The empty write completes after everything written before it: only then is the output shut.
        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                self.close();
                peer.close();
                return;
            }
            OutputCloser closer = peer.pipeline().get(OutputCloser.class);
            SslHandler ssl = closer == null ? peer.pipeline().get(SslHandler.class) : null;
            if (closer != null) {
                closer.closeOutput().addListener(c -> shutdownOutput(duplex));
            } else if (ssl != null) {
                ssl.closeOutbound().addListener(c -> shutdownOutput(duplex));
            } else {
                shutdownOutput(duplex);
            }
        });
        closeIfBothDirectionsDone(self);
    }

    private static void shutdownOutput(DuplexChannel channel) {
        if (!channel.isActive()) {
            return;
        }
        channel.shutdownOutput().addListener(f -> {
            if (f.isSuccess()) {
                closeIfBothDirectionsDone(channel);
            } else {
                channel.close();
            }
        });
    }

    /**
     * Closes {@code ch} once both directions are done. Everything read from it has been handed on by then
     * (a spliced channel drains its socket when its peer half-closes); what a pipe still holds is written
     * after the close (see {@link SplicedDirection}).
     */
    private static void closeIfBothDirectionsDone(Channel ch) {
        if (ch instanceof DuplexChannel d && d.isInputShutdown() && d.isOutputShutdown()) {
            ch.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeOnFlush(peer);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
        closeOnFlush(peer);
    }

    /** Closes {@code ch} after what was written to it has been flushed. */
    static void closeOnFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }
}
