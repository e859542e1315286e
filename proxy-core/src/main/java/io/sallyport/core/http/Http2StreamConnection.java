package io.sallyport.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;
import java.util.ArrayList;

/**
 * What the downstream and upstream HTTP/2 connections share: Netty's connection handler calls this class as
 * its frame listener, and each stream's state is an object of ours kept as a property of Netty's stream (no
 * channel per stream). Streams that received frames in a read batch hear of its end once; flushes are
 * consolidated (writes made while the connection reads are flushed at read-complete, others once per
 * event-loop turn); received body bytes go back to the peer's window only when a stream asks.
 */
abstract class Http2StreamConnection extends Http2ConnectionHandler implements Http2FrameListener {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Http2StreamConnection.class);

    /**
     * What both kinds of stream share: a stream that received frames in a read batch hears of its end once,
     * and the body bytes it handed on go back to the peer's window only when its exchange asks for more.
     */
    abstract static class BatchedStream {
        private boolean inReadBatch;
        /** Body bytes handed to the exchange and not yet returned to the peer's window. */
        private int unconsumed;

        /** The connection's read batch in which this stream received frames is over. */
        abstract void readComplete();

        /** This stream received frames in the current read batch. */
        final void joinReadBatch(Http2StreamConnection conn) {
            if (!inReadBatch) {
                inReadBatch = true;
                conn.readBatch.add(this);
            }
        }

        private void endReadBatch() {
            inReadBatch = false;
            readComplete();
        }

        /** {@code bytes} of body were handed on: held back from the peer's window until {@link #returnWindow}. */
        final void holdWindow(int bytes) {
            unconsumed += bytes;
        }

        /** The held bytes go back to the peer's window (nothing once the stream is closed). */
        final void returnWindow(Http2StreamConnection conn, Http2Stream stream, boolean closed) {
            int n = unconsumed;
            if (n == 0 || closed) {
                return;
            }
            unconsumed = 0;
            conn.returnWindow(stream, n);
        }
    }

    private final Http2Connection.PropertyKey streamKey;
    private final ArrayList<BatchedStream> readBatch = new ArrayList<>(8);
    private final Runnable flushTask = this::scheduledFlush;
    private ChannelHandlerContext ctx;
    private boolean reading;
    private boolean flushScheduled;

    Http2StreamConnection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
        super(decoder, encoder, settings);
        this.streamKey = connection().newKey();
    }

    /**
     * Netty's connection state for a new connection, its send windows shared out evenly among the streams with
     * data queued. Netty's default distributor keeps a priority tree (a state object per stream, in priority
     * queues ordered by bytes sent) for stream priorities, which RFC 9113 deprecated; without priorities it
     * amounts to an even share too, at several times the cost per stream and per flush.
     */
    static Http2Connection newConnection(boolean server) {
        Http2Connection c = new DefaultHttp2Connection(server);
        c.remote().flowController(new DefaultHttp2RemoteFlowController(c, new UniformStreamByteDistributor(c)));
        return c;
    }

    ChannelHandlerContext context() {
        return ctx;
    }

    /** Our state of Netty's {@code stream}, or {@code null}. */
    final <S> S state(Http2Stream stream) {
        return stream.getProperty(streamKey);
    }

    /** Our state of the stream with this id, or {@code null} (no such stream, or not ours). */
    final <S> S state(int streamId) {
        Http2Stream s = connection().stream(streamId);
        return s == null ? null : s.getProperty(streamKey);
    }

    final void bind(Http2Stream stream, Object state) {
        stream.setProperty(streamKey, state);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        super.handlerAdded(ctx);
        Http2IdleCloser idle = ctx.pipeline().get(Http2IdleCloser.class);
        if (idle != null) {
            idle.watch(connection());
        }
        // A connection window large enough that one slow stream does not stall the others.
        connection().local().flowController().incrementWindowSize(connection().connectionStream(),
                Http2ConnectionPool.CONNECTION_WINDOW - 65_535);
        flush(ctx);
    }

    // ---- read batches and flushes ------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        reading = true;
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        for (int i = 0; i < readBatch.size(); i++) {
            readBatch.get(i).endReadBatch();
        }
        readBatch.clear();
        reading = false;
        // Flushes everything the batch wrote (frames, window updates) in one go.
        super.channelReadComplete(ctx);
    }

    /** A stream wrote: flush at the end of the read batch, or once in this event-loop turn. */
    final void requestFlush() {
        if (reading || flushScheduled) {
            return;
        }
        flushScheduled = true;
        ctx.executor().execute(flushTask);
    }

    private void scheduledFlush() {
        flushScheduled = false;
        flush(ctx);
    }

    /** Gives {@code bytes} received on {@code stream} back to the peer's window (the reader took them). */
    private void returnWindow(Http2Stream stream, int bytes) {
        try {
            if (decoder().flowController().consumeBytes(stream, bytes)) {
                requestFlush();
            }
        } catch (Http2Exception e) {
            onError(ctx, false, e);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (isHttp2Error(cause)) {
            // Netty answers its own protocol errors (RST_STREAM, or GOAWAY with the error code, then close).
            super.exceptionCaught(ctx, cause);
            return;
        }
        LOG.debug("HTTP/2 connection {} failed: {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    /** Whether an HTTP/2 exception is in the cause chain (Netty's own test is not public). */
    static boolean isHttp2Error(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof Http2Exception) {
                return true;
            }
        }
        return false;
    }

    // ---- frames neither side acts on ---------------------------------------------------------------

    @Override
    public final void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                                    short weight, boolean exclusive, int padding, boolean endOfStream)
            throws Http2Exception {
        onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }

    @Override
    public void onPriorityRead(ChannelHandlerContext ctx, int streamId, int streamDependency, short weight,
                               boolean exclusive) {
    }

    @Override
    public void onSettingsAckRead(ChannelHandlerContext ctx) {
    }

    @Override
    public void onPingRead(ChannelHandlerContext ctx, long data) {
    }

    @Override
    public void onPingAckRead(ChannelHandlerContext ctx, long data) {
    }

    @Override
    public void onPushPromiseRead(ChannelHandlerContext ctx, int streamId, int promisedStreamId, Http2Headers headers,
                                  int padding) {
        // Push is disabled in a client's SETTINGS, and a client never pushes: Netty refuses it before this.
    }

    @Override
    public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {
    }

    @Override
    public void onUnknownFrame(ChannelHandlerContext ctx, byte frameType, int streamId, Http2Flags flags,
                               ByteBuf payload) {
    }
}
