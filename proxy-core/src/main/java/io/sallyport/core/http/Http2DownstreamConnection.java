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

/**
 * A downstream h2c connection, demultiplexed without a channel per stream: Netty's HTTP/2 connection
 * handler decodes frames and calls this class as its frame listener, which hands them to one
 * {@link Http2DownstreamStream} per request stream (kept as a property of Netty's stream).
 *
 * <p>Flow control: request body bytes are returned to the client's stream window only when the exchange
 * asks for more ({@link Http2DownstreamStream#read()}), so a request is read at its upstream's pace; the
 * response side follows the client's windows through Netty's remote flow controller, whose writability
 * changes reach the streams. Flushes are consolidated: writes made while the connection is reading are
 * flushed once at read-complete, other writes (responses arriving from upstream connections) once per
 * event-loop turn.
 *
 * <p>Defences stay Netty's: {@code MAX_CONCURRENT_STREAMS} (refused streams), the header-list cap (431 from
 * Netty above it, ours between our limit and it), and the reset-flood limit (GOAWAY {@code ENHANCE_YOUR_CALM}).
 */
final class Http2DownstreamConnection extends Http2ConnectionHandler implements Http2FrameListener {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Http2DownstreamConnection.class);

    private final HttpConnectionManager manager;
    private final Http2Connection.PropertyKey streamKey;
    private final ArrayList<Http2DownstreamStream> readBatch = new ArrayList<>(8);
    private final Runnable flushTask = this::scheduledFlush;
    private ChannelHandlerContext ctx;
    private boolean reading;
    private boolean flushScheduled;
    /** A connection error was answered with GOAWAY: input is discarded until the peer closes or time runs out. */
    private boolean lingering;

    /** How long a connection that got a GOAWAY for an error keeps draining the peer's bytes before it closes. */
    static final long LINGER_MILLIS = 2_000;

    private Http2DownstreamConnection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                      Http2Settings settings, HttpConnectionManager manager) {
        super(decoder, encoder, settings);
        this.manager = manager;
        Http2Connection connection = connection();
        this.streamKey = connection.newKey();
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                Http2DownstreamStream s = stream.getProperty(streamKey);
                if (s != null) {
                    s.onClosed();
                }
            }
        });
        connection.remote().flowController().listener(stream -> {
            Http2DownstreamStream s = stream.getProperty(streamKey);
            if (s != null) {
                s.onWritabilityChanged();
            }
        });
    }

    /** A handler for one accepted connection, with the manager's limits as SETTINGS and defences. */
    static Http2DownstreamConnection create(HttpConnectionManager manager) {
        return new Builder(manager).create();
    }

    private static final class Builder
            extends AbstractHttp2ConnectionHandlerBuilder<Http2DownstreamConnection, Builder> {
        private final HttpConnectionManager manager;

        Builder(HttpConnectionManager manager) {
            this.manager = manager;
            HttpDownstreamLimits limits = manager.limits();
            server(true);
            initialSettings(Http2Settings.defaultSettings()
                    .maxConcurrentStreams(limits.maxConcurrentStreams())
                    // Netty refuses header lists over this hard cap; between the limit and the cap we answer 431.
                    .maxHeaderListSize(2L * limits.maxRequestHeaderBytes())
                    .initialWindowSize(Http2ConnectionPool.STREAM_WINDOW));
            decoderEnforceMaxRstFramesPerWindow(limits.maxRstFramesPerWindow(), limits.rstWindowSeconds());
            validateHeaders(true);
        }

        Http2DownstreamConnection create() {
            return build();
        }

        @Override
        protected Http2DownstreamConnection build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                                  Http2Settings settings) {
            Http2DownstreamConnection c = new Http2DownstreamConnection(decoder, encoder, settings, manager);
            c.decoder().frameListener(c);
            return c;
        }
    }

    HttpConnectionManager manager() {
        return manager;
    }

    ChannelHandlerContext context() {
        return ctx;
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

    // ---- reads -------------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (lingering) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        reading = true;
        super.channelRead(ctx, msg);
    }

    /**
     * A connection error (e.g. the reset-flood limit): GOAWAY with the error code, then half-close and drain.
     * Closing at once while the peer is still sending would make the kernel answer its bytes with a TCP
     * reset, and a reset can destroy the GOAWAY before the peer reads it; a lingering close (as nginx does)
     * lets the peer see why it was cut off.
     */
    @Override
    protected void onConnectionError(ChannelHandlerContext ctx, boolean outbound, Throwable cause,
                                     Http2Exception http2Ex) {
        if (lingering) {
            return;
        }
        if (http2Ex != null && http2Ex.shutdownHint() == Http2Exception.ShutdownHint.GRACEFUL_SHUTDOWN) {
            super.onConnectionError(ctx, outbound, cause, http2Ex);
            return;
        }
        long code = http2Ex != null ? http2Ex.error().code() : io.netty.handler.codec.http2.Http2Error.INTERNAL_ERROR.code();
        lingering = true;
        int lastStreamId = connection().remote().lastStreamCreated();
        ByteBuf debugData = io.netty.handler.codec.http2.Http2CodecUtil.toByteBuf(ctx, cause);
        try {
            connection().goAwaySent(lastStreamId, code, debugData);
        } catch (Http2Exception e) {
            debugData.release();
            ctx.close();
            return;
        }
        // Written through the frame writer, not goAway(): Netty closes the channel as soon as an error GOAWAY
        // is written, which is the reset this avoids.
        io.netty.channel.ChannelFuture sent = encoder().frameWriter().writeGoAway(ctx, lastStreamId, code, debugData,
                ctx.newPromise());
        ctx.flush();
        sent.addListener(f -> {
            if (f.isSuccess()) {
                lingerThenClose(ctx);
            } else {
                ctx.close();
            }
        });
    }

    private static void lingerThenClose(ChannelHandlerContext ctx) {
        io.netty.channel.Channel ch = ctx.channel();
        if (!ch.isActive()) {
            return;
        }
        if (!(ch instanceof io.netty.channel.socket.DuplexChannel duplex)) {
            ctx.close();
            return;
        }
        io.netty.util.concurrent.ScheduledFuture<?> deadline =
                ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        ch.closeFuture().addListener(f -> deadline.cancel(false));
        duplex.shutdownOutput();
        // Reads go on (and are dropped) until the peer closes: its end of stream closes the channel.
        ch.config().setAutoRead(true);
        ch.read();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        // Streams that received body bytes in this batch forward them upstream and ask for more.
        for (int i = 0; i < readBatch.size(); i++) {
            readBatch.get(i).readComplete();
        }
        readBatch.clear();
        reading = false;
        // Flushes everything the batch wrote (responses, window updates) in one go.
        super.channelReadComplete(ctx);
    }

    void joinReadBatch(Http2DownstreamStream s) {
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
        if (isHttp2Error(cause)) {
            // Netty answers its own protocol errors (RST_STREAM, or GOAWAY with the error code, then close).
            super.exceptionCaught(ctx, cause);
            return;
        }
        LOG.debug("HTTP/2 connection error from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    // ---- frames ------------------------------------------------------------------------------------

    private Http2DownstreamStream stream(int streamId) {
        Http2Stream s = connection().stream(streamId);
        return s == null ? null : s.getProperty(streamKey);
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                              boolean endOfStream) {
        Http2Stream stream = connection().stream(streamId);
        if (stream == null) {
            return;
        }
        Http2DownstreamStream s = stream.getProperty(streamKey);
        if (s == null) {
            s = new Http2DownstreamStream(this, stream);
            stream.setProperty(streamKey, s);
            s.onRequestHeaders(headers, endOfStream);
        } else {
            s.onTrailers(headers);
        }
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                              short weight, boolean exclusive, int padding, boolean endOfStream) {
        onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }

    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
        Http2DownstreamStream s = stream(streamId);
        if (s == null) {
            return data.readableBytes() + padding;
        }
        return s.onData(data, endOfStream) + padding;
    }

    @Override
    public void onPriorityRead(ChannelHandlerContext ctx, int streamId, int streamDependency, short weight,
                               boolean exclusive) {
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
        // Netty closes the stream next; the stream learns it from onStreamClosed.
    }

    @Override
    public void onSettingsAckRead(ChannelHandlerContext ctx) {
    }

    @Override
    public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
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
    }

    @Override
    public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
    }

    @Override
    public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {
    }

    @Override
    public void onUnknownFrame(ChannelHandlerContext ctx, byte frameType, int streamId, Http2Flags flags,
                               ByteBuf payload) {
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
}
