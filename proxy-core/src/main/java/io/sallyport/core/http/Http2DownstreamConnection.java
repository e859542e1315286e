package io.sallyport.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;

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
final class Http2DownstreamConnection extends Http2StreamConnection {

    private final HttpConnectionManager manager;
    /** The connection's exchange deadlines and client address, looked up once rather than per request. */
    private ExchangeDeadlines deadlines;
    private String remoteAddress;
    /** A connection error was answered with GOAWAY: input is discarded until the peer closes or time runs out. */
    private boolean lingering;

    /** How long a connection that got a GOAWAY for an error keeps draining the peer's bytes before it closes. */
    static final long LINGER_MILLIS = 2_000;

    private Http2DownstreamConnection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                      Http2Settings settings, HttpConnectionManager manager) {
        super(decoder, encoder, settings);
        this.manager = manager;
        Http2Connection connection = connection();
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                Http2DownstreamStream s = state(stream);
                if (s != null) {
                    s.onClosed();
                }
            }
        });
        connection.remote().flowController().listener(stream -> {
            Http2DownstreamStream s = state(stream);
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
            connection(newConnection(true));
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

    ExchangeDeadlines deadlines() {
        ExchangeDeadlines d = deadlines;
        if (d == null) {
            d = ExchangeDeadlines.of(context().channel());
            deadlines = d;
        }
        return d;
    }

    String remoteAddress() {
        String a = remoteAddress;
        if (a == null) {
            a = ProxyExchange.remoteAddress(context().channel());
            remoteAddress = a;
        }
        return a;
    }

    // ---- reads -------------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (lingering) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
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

    // ---- frames ------------------------------------------------------------------------------------

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                              boolean endOfStream) {
        Http2Stream stream = connection().stream(streamId);
        if (stream == null) {
            return;
        }
        Http2DownstreamStream s = state(stream);
        if (s == null) {
            s = new Http2DownstreamStream(this, stream);
            bind(stream, s);
            s.onRequestHeaders(headers, endOfStream);
        } else {
            s.onTrailers(headers);
        }
    }

    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
        Http2DownstreamStream s = state(streamId);
        if (s == null) {
            return data.readableBytes() + padding;
        }
        return s.onData(data, endOfStream) + padding;
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
        // Netty closes the stream next; the stream learns it from onStreamClosed.
    }

    @Override
    public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
    }

    @Override
    public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
    }
}
