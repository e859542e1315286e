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
final class Http2UpstreamConnection extends Http2StreamConnection {

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

    private final Events events;
    private boolean https;
    private boolean ready;

    private Http2UpstreamConnection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                    Http2Settings settings, Events events) {
        super(decoder, encoder, settings);
        this.events = events;
        Http2Connection connection = connection();
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                Http2UpstreamStream s = state(stream);
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
            Http2UpstreamStream s = state(stream);
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
            connection(newConnection(false));
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

    /** Whether the connection is TLS (the requests' {@code :scheme}). */
    boolean https() {
        return https;
    }

    /** A new stream for one exchange; its Netty stream is created when the request head is written. */
    Http2UpstreamStream newStream() {
        return new Http2UpstreamStream(this);
    }

    void streamEnded() {
        events.onStreamEnded();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.https = ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class) != null;
        super.handlerAdded(ctx);
    }

    @Override
    protected void onStreamError(ChannelHandlerContext ctx, boolean outbound, Throwable cause,
                                 Http2Exception.StreamException streamException) {
        Http2UpstreamStream s = state(streamException.streamId());
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
        LOG.debug("GOAWAY on {}: last stream {}, {} streams open", context().channel(), lastStreamId,
                connection().numActiveStreams());
        // Streams above the last one the server will process were never seen by it: their requests may be retried.
        List<Http2UpstreamStream> refused = new ArrayList<>(2);
        try {
            connection().forEachActiveStream(stream -> {
                if (stream.id() > lastStreamId) {
                    Http2UpstreamStream s = state(stream);
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

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                              boolean endOfStream) {
        Http2UpstreamStream s = state(streamId);
        if (s != null) {
            s.onHeaders(headers, endOfStream);
        }
    }

    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
        Http2UpstreamStream s = state(streamId);
        if (s == null) {
            return data.readableBytes() + padding;
        }
        return s.onData(data, endOfStream) + padding;
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
        Http2UpstreamStream s = state(streamId);
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
    public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
        // Handled by the connection listener, which runs before Netty closes the refused streams.
    }
}
