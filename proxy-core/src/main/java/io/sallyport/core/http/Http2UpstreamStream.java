package io.sallyport.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.Iterator;
import java.util.Map;

/**
 * One request stream of an upstream HTTP/2 connection ({@link Http2UpstreamConnection}), and the
 * {@link UpstreamLink} of its exchange: the request head becomes a HEADERS frame (pseudo-headers from the
 * request line and {@code Host}), body chunks DATA frames, trailers a final HEADERS frame; the response's
 * frames come back as {@link HttpObject}s, and its body bytes return to the server's window only as the
 * exchange asks for more.
 */
final class Http2UpstreamStream extends Http2StreamConnection.BatchedStream implements UpstreamLink, ChannelFutureListener {

    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString HTTPS = AsciiString.cached("https");

    private final Http2UpstreamConnection conn;
    /** Netty's stream, from the request head on. */
    private Http2Stream stream;
    private UpstreamListener listener;
    private boolean responseStarted;
    private boolean localEnded;
    private boolean remoteEnded;
    private boolean closed;
    /** The request could not be sent (no stream, or a failed write): later writes are dropped. */
    private boolean failed;
    private boolean ended;
    /** A protocol error on this stream, reported to the exchange instead of the reset that follows it. */
    private Http2Exception protocolError;

    Http2UpstreamStream(Http2UpstreamConnection conn) {
        this.conn = conn;
    }

    // ---- UpstreamLink ------------------------------------------------------------------------------

    @Override
    public void attach(UpstreamListener listener) {
        this.listener = listener;
    }

    @Override
    public void detach() {
        this.listener = null;
    }

    @Override
    public Channel channel() {
        return conn.context().channel();
    }

    @Override
    public boolean isReused() {
        // A new stream is never a reused one: a request the server did not process is refused explicitly.
        return false;
    }

    @Override
    public void flush() {
        conn.requestFlush();
    }

    @Override
    public boolean isWritable() {
        if (closed || failed) {
            return false;
        }
        return stream == null ? channel().isWritable() : conn.connection().remote().flowController().isWritable(stream);
    }

    @Override
    public void read() {
        returnWindow(conn, stream, closed);
    }

    @Override
    public void write(HttpObject msg) {
        if (failed || closed || localEnded) {
            ReferenceCountUtil.release(msg);
            if (!failed) {
                fail(new ClosedChannelException());
            }
            return;
        }
        if (msg instanceof HttpRequest req) {
            Http2Headers h = requestHeaders(req, conn.https());
            if (msg instanceof FullHttpRequest full) {
                ByteBuf content = full.content();
                HttpHeaders trailers = full.trailingHeaders();
                if (!content.isReadable() && trailers.isEmpty()) {
                    content.release();
                    writeHead(h, true);
                    return;
                }
                if (writeHead(h, false)) {
                    writeEnd(content, trailers);
                } else {
                    content.release();
                }
                return;
            }
            writeHead(h, false);
        } else if (stream == null) {
            ReferenceCountUtil.release(msg);
            fail(new IllegalStateException("request body before its head"));
        } else if (msg instanceof LastHttpContent last) {
            writeEnd(last.content(), last.trailingHeaders());
        } else if (msg instanceof HttpContent c) {
            writeData(c.content(), false);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Opens the Netty stream and writes the request head; false when the stream could not be opened. */
    private boolean writeHead(Http2Headers headers, boolean endOfStream) {
        ChannelHandlerContext ctx = conn.context();
        Http2Stream s;
        try {
            s = conn.connection().local().createStream(conn.connection().local().incrementAndGetNextStreamId(), false);
        } catch (Http2Exception e) {
            // Over the server's stream limit, or after its GOAWAY: the server never saw the request.
            failed = true;
            ctx.executor().execute(this::refusedBeforeSent);
            return false;
        }
        stream = s;
        conn.bind(s, this);
        localEnded = endOfStream;
        conn.encoder().writeHeaders(ctx, s.id(), headers, 0, endOfStream, ctx.newPromise()).addListener(this);
        return true;
    }

    private void writeEnd(ByteBuf content, HttpHeaders trailers) {
        if (trailers.isEmpty()) {
            writeData(content, true);
            return;
        }
        if (content.isReadable()) {
            writeData(content, false);
        } else {
            content.release();
        }
        Http2Headers t = Http2DownstreamStream.trailersOf(trailers);
        ChannelHandlerContext ctx = conn.context();
        localEnded = true;
        conn.encoder().writeHeaders(ctx, stream.id(), t, 0, true, ctx.newPromise()).addListener(this);
    }

    private void writeData(ByteBuf data, boolean endOfStream) {
        ChannelHandlerContext ctx = conn.context();
        localEnded |= endOfStream;
        conn.encoder().writeData(ctx, stream.id(), data, 0, endOfStream, ctx.newPromise()).addListener(this);
    }

    /** Write results: a failed write fails the exchange like a broken stream. */
    @Override
    public void operationComplete(ChannelFuture f) {
        if (!f.isSuccess()) {
            fail(f.cause());
        }
    }

    /** Reports a failure to the exchange later: it may come from inside the exchange's own write. */
    private void fail(Throwable cause) {
        failed = true;
        UpstreamListener l = listener;
        if (l != null) {
            conn.context().executor().execute(() -> {
                if (listener == l) {
                    l.onUpstreamException(cause);
                }
            });
        }
    }

    private void refusedBeforeSent() {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamRefused();
        }
    }

    /** The exchange is done with this stream: an unfinished stream is reset ({@code CANCEL}). */
    void release() {
        listener = null;
        if (stream == null) {
            end();
            return;
        }
        if (!closed && !(localEnded && remoteEnded)) {
            ChannelHandlerContext ctx = conn.context();
            conn.resetStream(ctx, stream.id(), Http2Error.CANCEL.code(), ctx.newPromise());
            conn.requestFlush();
        }
    }

    /** Tells the pool once that this stream no longer counts against the connection's limit. */
    private void end() {
        if (!ended) {
            ended = true;
            conn.streamEnded();
        }
    }

    // ---- from the server ---------------------------------------------------------------------------

    void onHeaders(Http2Headers h, boolean endOfStream) {
        if (endOfStream) {
            remoteEnded = true;
        }
        UpstreamListener l = listener;
        if (l == null) {
            return;
        }
        joinReadBatch(conn);
        CharSequence status = h.status();
        if (status == null) {
            if (!responseStarted) {
                l.onUpstreamException(new DecoderException("HTTP/2 response without :status"));
                return;
            }
            l.onUpstreamRead(new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, Http2HeadersView.ofResponse(h)));
            return;
        }
        HttpResponseStatus s;
        try {
            s = HttpResponseStatus.parseLine(status);
        } catch (IllegalArgumentException e) {
            l.onUpstreamException(new DecoderException("invalid :status " + status));
            return;
        }
        if (s.codeClass() == HttpStatusClass.INFORMATIONAL) {
            // Interim responses (100 Continue) stop at the proxy.
            return;
        }
        responseStarted = true;
        // No copy: the exchange edits the received block through the view, and an HTTP/2 client gets it as is.
        HttpHeaders out = Http2HeadersView.ofResponse(h);
        l.onUpstreamRead(endOfStream
                ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, s, Unpooled.EMPTY_BUFFER, out, EmptyHttpHeaders.INSTANCE)
                : new DefaultHttpResponse(HttpVersion.HTTP_1_1, s, out));
    }

    /** A DATA frame's bytes ({@code data} is the decoder's); returns the bytes to give back to the window now. */
    int onData(ByteBuf data, boolean endOfStream) {
        int n = data.readableBytes();
        if (endOfStream) {
            remoteEnded = true;
        }
        UpstreamListener l = listener;
        if (l == null) {
            return n;
        }
        joinReadBatch(conn);
        // The frame's bytes pass on as the chunk's: the exchange releases them once written downstream.
        l.onUpstreamRead(endOfStream ? new DefaultLastHttpContent(data.retain(), EmptyHttpHeaders.INSTANCE)
                : new DefaultHttpContent(data.retain()));
        if (endOfStream || listener == null) {
            // Nothing more will be read on this stream: no window to hold back.
            return n;
        }
        holdWindow(n);
        return 0;
    }

    void onReset(long errorCode) {
        UpstreamListener l = listener;
        if (l == null) {
            return;
        }
        if (errorCode == Http2Error.REFUSED_STREAM.code()) {
            l.onUpstreamRefused();
        } else {
            l.onUpstreamReset(errorCode);
        }
    }

    /** The server's GOAWAY names a last stream below this one: it never processed the request. */
    void onRefused() {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamRefused();
        }
    }

    void onProtocolError(Http2Exception e) {
        protocolError = e;
    }

    /** After Netty answered a protocol error with a reset: the exchange learns it, if the close did not tell it. */
    void deliverProtocolError() {
        Http2Exception e = protocolError;
        UpstreamListener l = listener;
        if (e != null && l != null) {
            protocolError = null;
            listener = null;
            l.onUpstreamException(e);
        }
    }

    void onWritabilityChanged() {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamWritabilityChanged(isWritable());
        }
    }

    /** The stream closed: after both ends, by a reset from either side, or with the connection. */
    void onClosed() {
        closed = true;
        UpstreamListener l = listener;
        listener = null;
        if (l != null) {
            Http2Exception e = protocolError;
            protocolError = null;
            if (e != null) {
                l.onUpstreamException(e);
            } else {
                l.onUpstreamInactive();
            }
        }
        end();
    }

    /** The connection's read batch is over: the exchange flushes downstream and asks for more. */
    @Override
    public void readComplete() {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamReadComplete();
        }
    }

    // ---- conversions -------------------------------------------------------------------------------

    /**
     * The request's HTTP/2 header block: {@code :method :scheme :authority :path}, then its fields. A request
     * that came over HTTP/2 sends its own block on, with the edits the exchange made and these pseudo-headers.
     */
    static Http2Headers requestHeaders(HttpRequest req, boolean https) {
        HttpHeaders in = req.headers();
        boolean connect = HttpMethod.CONNECT.equals(req.method());
        if (in instanceof Http2HeadersView view && !connect) {
            Http2Headers h = view.http2();
            setIfChanged(h, Http2Headers.PseudoHeaderName.METHOD.value(), req.method().asciiName());
            setIfChanged(h, Http2Headers.PseudoHeaderName.SCHEME.value(), https ? HTTPS : HTTP);
            setIfChanged(h, Http2Headers.PseudoHeaderName.PATH.value(), req.uri());
            Http2HeadersView.stripConnectionSpecific(h);
            return h;
        }
        Http2Headers out = new DefaultHttp2Headers(false, in.size() + 4);
        out.method(req.method().asciiName());
        if (!connect) {
            out.scheme(https ? HTTPS : HTTP);
        }
        String host = in.get(HttpHeaderNames.HOST);
        if (host != null) {
            out.authority(host);
        }
        if (connect) {
            if (host == null) {
                out.authority(req.uri());
            }
        } else {
            out.path(req.uri());
        }
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = in.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            AsciiString name = Http2FieldNames.lowerCase(e.getKey());
            if (HttpHeaderNames.TE.contentEquals(name)) {
                // The one TE an HTTP/2 request may carry (RFC 9113 §8.2.2).
                if (AsciiString.containsIgnoreCase(e.getValue(), HttpHeaderValues.TRAILERS)) {
                    out.add(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
                }
            } else if (!Http2FieldNames.connectionSpecific(name)) {
                out.add(name, e.getValue());
            }
        }
        return out;
    }

    private static void setIfChanged(Http2Headers h, AsciiString name, CharSequence value) {
        if (!AsciiString.contentEquals(value, h.get(name))) {
            h.set(name, value);
        }
    }
}
