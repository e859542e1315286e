package io.sallyport.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import java.util.ArrayList;
import java.util.List;

/**
 * An upstream HTTP/2 connection, multiplexed without a channel per stream: Netty's HTTP/2 connection handler
 * encodes and decodes the frames and calls this class as its frame listener, which hands them to one
 * {@link Http2UpstreamStream} per request (kept as a property of Netty's stream).
 *
 * <p>Flow control: response body bytes go back to the server's stream window only as the exchange asks for
 * more ({@link Http2UpstreamStream#read()}), so a response is read at its client's pace; request bodies
 * follow the server's windows through Netty's remote flow controller, whose writability changes reach the
 * streams. Flushes are consolidated: writes made while the connection is reading are flushed once at
 * read-complete, other writes (requests arriving from downstream connections) once per event-loop turn.
 */
final class Http2UpstreamConnection extends Http2ConnectionHandler implements Http2FrameListener {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Http2UpstreamConnection.class);

    /** What the pool learns about the connection. */
    interface Events {
        /** The server's first SETTINGS arrived: its stream limit is known. */
        void onReady();

        /** The server sent GOAWAY: no new stream on this connection. */
        void onGoAway();

        /** A stream handed out by the pool is over (its Netty stream closed, or it never had one). */
        void onStreamEnded();
    }

    private final Http2Connection.PropertyKey streamKey;
    private final ArrayList<Http2UpstreamStream> readBatch = new ArrayList<>(8);
    private final Runnable flushTask = this::scheduledFlush;
    private final Events events;
    private ChannelHandlerContext ctx;
    private boolean https;
    private boolean ready;
    private boolean reading;
    private boolean flushScheduled;

    private Http2UpstreamConnection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                    Http2Settings settings, Events events) {
        super(decoder, encoder, settings);
        this.events = events;
        Http2Connection connection = connection();
        this.streamKey = connection.newKey();
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                Http2UpstreamStream s = stream.getProperty(streamKey);
                if (s != null) {
                    s.onClosed();
                }
            }

            @Override
            public void onGoAwayReceived(int lastStreamId, long errorCode, ByteBuf debugData) {
                goAwayReceived(lastStreamId);
            }
        });
        connection.remote().flowController().listener(stream -> {
            Http2UpstreamStream s = stream.getProperty(streamKey);
            if (s != null) {
                s.onWritabilityChanged();
            }
        });
    }

    /** A handler for one new upstream connection: push disabled, our stream window, the reset-flood limit. */
    static Http2UpstreamConnection create(Events events) {
        return new Builder(events).create();
    }

    private static final class Builder
            extends AbstractHttp2ConnectionHandlerBuilder<Http2UpstreamConnection, Builder> {
        private final Events events;

        Builder(Events events) {
            this.events = events;
            server(false);
            initialSettings(Http2Settings.defaultSettings()
                    .pushEnabled(false)
                    .initialWindowSize(Http2ConnectionPool.STREAM_WINDOW)
                    .maxHeaderListSize(Http2ConnectionPool.MAX_HEADER_LIST_BYTES));
            decoderEnforceMaxRstFramesPerWindow(200, 30);
            validateHeaders(true);
        }

        Http2UpstreamConnection create() {
            return build();
        }

        @Override
        protected Http2UpstreamConnection build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                                Http2Settings settings) {
            Http2UpstreamConnection c = new Http2UpstreamConnection(decoder, encoder, settings, events);
            c.decoder().frameListener(c);
            return c;
        }
    }

    ChannelHandlerContext context() {
        return ctx;
    }

    /** Whether the connection is TLS (the requests' {@code :scheme}). */
    boolean https() {
        return https;
    }

    boolean isReady() {
        return ready;
    }

    /** A new stream for one exchange; its Netty stream is created when the request head is written. */
    Http2UpstreamStream newStream() {
        return new Http2UpstreamStream(this);
    }

    /** Links {@code s} to its Netty stream, so frames and state changes of that stream reach it. */
    void bind(Http2Stream stream, Http2UpstreamStream s) {
        stream.setProperty(streamKey, s);
    }

    void streamEnded() {
        events.onStreamEnded();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        this.https = ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class) != null;
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

    // ---- reads -------------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        reading = true;
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        // Streams that received frames in this batch let their exchanges flush downstream and ask for more.
        for (int i = 0; i < readBatch.size(); i++) {
            readBatch.get(i).readComplete();
        }
        readBatch.clear();
        reading = false;
        // Flushes everything the batch wrote (window updates, requests) in one go.
        super.channelReadComplete(ctx);
    }

    void joinReadBatch(Http2UpstreamStream s) {
        readBatch.add(s);
    }

    /** A stream wrote: flush at the end of the read batch, or once in this event-loop turn. */
    void requestFlush() {
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

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (Http2DownstreamConnection.isHttp2Error(cause)) {
            // Netty answers its own protocol errors (RST_STREAM, or GOAWAY with the error code, then close).
            super.exceptionCaught(ctx, cause);
            return;
        }
        LOG.debug("HTTP/2 upstream connection {} failed: {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    @Override
    protected void onStreamError(ChannelHandlerContext ctx, boolean outbound, Throwable cause,
                                 Http2Exception.StreamException streamException) {
        Http2UpstreamStream s = stream(streamException.streamId());
        if (s != null && !outbound) {
            // An invalid response on this stream: its exchange fails with a protocol error, not a reset.
            s.onProtocolError(streamException);
        }
        super.onStreamError(ctx, outbound, cause, streamException);
        if (s != null && !outbound) {
            s.deliverProtocolError();
        }
    }

    private void goAwayReceived(int lastStreamId) {
        LOG.debug("GOAWAY on {}: last stream {}, {} streams open", ctx.channel(), lastStreamId,
                connection().numActiveStreams());
        // Streams above the last one the server will process were never seen by it: their requests may be retried.
        List<Http2UpstreamStream> refused = new ArrayList<>(2);
        try {
            connection().forEachActiveStream(stream -> {
                if (stream.id() > lastStreamId) {
                    Http2UpstreamStream s = stream.getProperty(streamKey);
                    if (s != null) {
                        refused.add(s);
                    }
                }
                return true;
            });
        } catch (Http2Exception e) {
            throw new IllegalStateException(e);
        }
        for (Http2UpstreamStream s : refused) {
            s.onRefused();
        }
        events.onGoAway();
    }

    // ---- frames ------------------------------------------------------------------------------------

    private Http2UpstreamStream stream(int streamId) {
        Http2Stream s = connection().stream(streamId);
        return s == null ? null : s.getProperty(streamKey);
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                              boolean endOfStream) {
        Http2UpstreamStream s = stream(streamId);
        if (s != null) {
            s.onHeaders(headers, endOfStream);
        }
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                              short weight, boolean exclusive, int padding, boolean endOfStream) {
        onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }

    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
        Http2UpstreamStream s = stream(streamId);
        if (s == null) {
            return data.readableBytes() + padding;
        }
        return s.onData(data, endOfStream) + padding;
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
        Http2UpstreamStream s = stream(streamId);
        if (s != null) {
            s.onReset(errorCode);
        }
    }

    @Override
    public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
        if (!ready) {
            ready = true;
            events.onReady();
        }
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
        // Push is disabled in our SETTINGS: Netty treats a PUSH_PROMISE as a protocol error before this.
    }

    @Override
    public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
        // Handled by the connection listener, which runs before Netty closes the refused streams.
    }

    @Override
    public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {
    }

    @Override
    public void onUnknownFrame(ChannelHandlerContext ctx, byte frameType, int streamId, Http2Flags flags,
                               ByteBuf payload) {
    }
}
