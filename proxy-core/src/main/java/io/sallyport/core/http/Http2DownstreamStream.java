package io.sallyport.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.Iterator;
import java.util.Map;

/**
 * One request stream of a downstream HTTP/2 connection ({@link Http2DownstreamConnection}), and the
 * {@link Downstream} of its {@link ProxyExchange}: it turns the request's HEADERS/DATA/trailers into
 * {@link HttpObject}s for the exchange and the exchange's response objects into frames on the connection,
 * answers oversized header lists with 431, and returns request-body window to the client only as the
 * exchange asks for more.
 */
final class Http2DownstreamStream extends Http2StreamConnection.BatchedStream implements Downstream {

    /** Pseudo-header fields a request carries besides its regular fields. */
    private static final int PSEUDO_HEADERS = 4;
    private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);

    private final Http2DownstreamConnection conn;
    private final Http2Stream stream;
    private ProxyExchange exchange;
    private boolean remoteEnded;
    private boolean localEnded;
    private boolean closed;

    Http2DownstreamStream(Http2DownstreamConnection conn, Http2Stream stream) {
        this.conn = conn;
        this.stream = stream;
    }

    // ---- from the client ---------------------------------------------------------------------------

    void onRequestHeaders(Http2Headers headers, boolean endOfStream) {
        remoteEnded = endOfStream;
        HttpDownstreamLimits limits = conn.manager().limits();
        if (headers.size() > limits.maxRequestHeaders() + PSEUDO_HEADERS) {
            reject(headers, "too many request headers");
            return;
        }
        if (headerListSize(headers) > limits.maxRequestHeaderBytes()) {
            // The codec caps header lists at twice the limit; between the limit and the cap: 431 (RFC 9113 §6.5.2 sizing).
            reject(headers, "request headers too large");
            return;
        }
        HttpRequest req = toRequest(headers, endOfStream);
        if (req == null) {
            reset(Http2Error.PROTOCOL_ERROR);
            return;
        }
        exchange = new ProxyExchange(this, req);
        exchange.start();
    }

    void onTrailers(Http2Headers headers) {
        remoteEnded = true;
        ProxyExchange ex = exchange;
        if (ex == null) {
            return;
        }
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, TRAILERS);
        try {
            HttpConversionUtil.addHttp2ToHttpHeaders(stream.id(), headers, last.trailingHeaders(),
                    HttpVersion.HTTP_1_1, true, true);
        } catch (Http2Exception e) {
            reset(Http2Error.PROTOCOL_ERROR);
            return;
        }
        ex.onRequestContent(last);
        joinReadBatch(conn);
    }

    /** A DATA frame's bytes ({@code data} is the decoder's); returns the bytes to give back to the window now. */
    int onData(ByteBuf data, boolean endOfStream) {
        int n = data.readableBytes();
        if (endOfStream) {
            remoteEnded = true;
        }
        ProxyExchange ex = exchange;
        if (ex == null) {
            return n;
        }
        // The stream's end carries no trailers (they would come as HEADERS): no header map to allocate.
        ex.onRequestContent(endOfStream ? new DefaultLastHttpContent(data.retain(), EmptyHttpHeaders.INSTANCE)
                : new DefaultHttpContent(data.retain()));
        joinReadBatch(conn);
        if (endOfStream || exchange == null) {
            // Nothing more will come on this stream: no window to hold back.
            return n;
        }
        holdWindow(n);
        return 0;
    }

    /** The connection's read batch is over: the exchange flushes upstream and asks for more. */
    @Override
    public void readComplete() {
        ProxyExchange ex = exchange;
        if (ex != null) {
            ex.onDownstreamReadComplete();
        }
    }

    void onWritabilityChanged() {
        ProxyExchange ex = exchange;
        if (ex != null) {
            ex.onDownstreamWritabilityChanged(isWritable());
        }
    }

    /** The stream closed: normally after both ends, or by a reset from either side, or with the connection. */
    void onClosed() {
        closed = true;
        ProxyExchange ex = exchange;
        exchange = null;
        if (ex != null) {
            ex.onDownstreamClosed();
        }
    }

    // ---- Downstream --------------------------------------------------------------------------------

    @Override
    public HttpConnectionManager manager() {
        return conn.manager();
    }

    @Override
    public boolean isHttp2() {
        return true;
    }

    @Override
    public ExchangeDeadlines deadlines() {
        return conn.deadlines();
    }

    @Override
    public String remoteAddress() {
        return conn.remoteAddress();
    }

    @Override
    public Channel connection() {
        return conn.context().channel();
    }

    @Override
    public void read() {
        returnWindow(conn, stream, closed);
    }

    @Override
    public boolean isWritable() {
        return !closed && conn.connection().remote().flowController().isWritable(stream);
    }

    @Override
    public void flush() {
        conn.requestFlush();
    }

    @Override
    public ChannelFuture write(HttpObject msg) {
        ChannelHandlerContext ctx = conn.context();
        if (closed || localEnded) {
            ReferenceCountUtil.release(msg);
            return ctx.newFailedFuture(new ClosedChannelException());
        }
        if (msg instanceof HttpResponse resp) {
            Http2Headers h = responseHeaders(resp);
            if (resp.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL) {
                ReferenceCountUtil.release(msg);
                return writeHeaders(h, false);
            }
            if (msg instanceof FullHttpResponse full) {
                ByteBuf content = full.content();
                if (!content.isReadable() && full.trailingHeaders().isEmpty()) {
                    content.release();
                    return writeHeaders(h, true);
                }
                writeHeaders(h, false);
                return writeEnd(content, full.trailingHeaders());
            }
            return writeHeaders(h, false);
        }
        if (msg instanceof LastHttpContent last) {
            return writeEnd(last.content(), last.trailingHeaders());
        }
        if (msg instanceof HttpContent c) {
            return writeData(c.content(), false);
        }
        ReferenceCountUtil.release(msg);
        return ctx.newSucceededFuture();
    }

    private ChannelFuture writeEnd(ByteBuf content, HttpHeaders trailers) {
        if (trailers.isEmpty()) {
            return writeData(content, true);
        }
        if (content.isReadable()) {
            writeData(content, false);
        } else {
            content.release();
        }
        return writeHeaders(trailersOf(trailers), true);
    }

    /** The response's HTTP/2 block: an HTTP/2 upstream's own block when it came as one, else a converted copy. */
    private static Http2Headers responseHeaders(HttpResponse resp) {
        AsciiString status = resp.status().codeAsText();
        if (resp.headers() instanceof Http2HeadersView view) {
            Http2Headers h = view.http2();
            if (!AsciiString.contentEquals(status, h.status())) {
                h.status(status);
            }
            Http2HeadersView.stripConnectionSpecific(h);
            return h;
        }
        return Http2ConvertedHeaders.of(status, resp.headers());
    }

    /** Trailers as an HTTP/2 block (passed on as they came from an HTTP/2 upstream, else converted). */
    static Http2Headers trailersOf(HttpHeaders trailers) {
        if (trailers instanceof Http2HeadersView view) {
            Http2Headers h = view.http2();
            Http2HeadersView.stripConnectionSpecific(h);
            return h;
        }
        return Http2ConvertedHeaders.of(null, trailers);
    }

    private ChannelFuture writeHeaders(Http2Headers headers, boolean endOfStream) {
        ChannelHandlerContext ctx = conn.context();
        localEnded |= endOfStream;
        return conn.encoder().writeHeaders(ctx, stream.id(), headers, 0, endOfStream, ctx.newPromise());
    }

    private ChannelFuture writeData(ByteBuf data, boolean endOfStream) {
        ChannelHandlerContext ctx = conn.context();
        localEnded |= endOfStream;
        return conn.encoder().writeData(ctx, stream.id(), data, 0, endOfStream, ctx.newPromise());
    }

    @Override
    public void abort() {
        reset(localEnded ? Http2Error.NO_ERROR : Http2Error.CANCEL);
    }

    private void reset(Http2Error error) {
        if (closed) {
            return;
        }
        ChannelHandlerContext ctx = conn.context();
        conn.resetStream(ctx, stream.id(), error.code(), ctx.newPromise());
        conn.requestFlush();
    }

    @Override
    public void exchangeDone(ProxyExchange ex, boolean keepAlive, ChannelFuture lastWrite) {
        if (exchange != ex) {
            return;
        }
        exchange = null;
        conn.requestFlush();
        if (remoteEnded && localEnded) {
            // Both ends sent: Netty closes the stream once the last frame is written.
            return;
        }
        // The client is still sending, or the response did not end: the stream ends with a reset.
        if (lastWrite != null && !lastWrite.isDone()) {
            lastWrite.addListener(f -> abort());
        } else {
            abort();
        }
    }

    @Override
    public void upgraded(ProxyExchange ex) {
        throw new IllegalStateException("no protocol upgrade on an HTTP/2 stream");
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** Answers a request refused for its headers with 431 (the access log says {@code DPE}). */
    private void reject(Http2Headers headers, String message) {
        CharSequence method = headers.method();
        CharSequence path = headers.path();
        boolean head = method != null && HttpMethod.HEAD.asciiName().contentEquals(method);
        HttpResponseStatus status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        FullHttpResponse r = LocalReplies.http(connection().alloc(), status, message, false, head);
        long sent = r.content().readableBytes();
        ChannelFuture last = write(r);
        flush();
        DownstreamHandler.logRejected(conn.manager(), connection(), method == null ? "-" : method.toString(),
                path == null ? "-" : path.toString(), "HTTP/2", status.code(), sent);
        if (!remoteEnded) {
            last.addListener(f -> abort());
        }
    }

    private static long headerListSize(Http2Headers headers) {
        long size = 0;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iterator(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            size += e.getKey().length() + e.getValue().length() + 32;
        }
        return size;
    }

    /**
     * The HTTP/1.1 form of a request's header block: pseudo-headers become the request line and
     * {@code Host}, {@code cookie} fields are joined (RFC 9113 §8.2.3); {@code null} when it is malformed.
     * The request's headers are a {@link Http2HeadersView} over {@code h}.
     */
    static HttpRequest toRequest(Http2Headers h, boolean endOfStream) {
        CharSequence method = h.method();
        CharSequence path = h.path();
        CharSequence authority = h.authority();
        boolean connect = method != null && HttpMethod.CONNECT.asciiName().contentEquals(method);
        if (method == null || (path == null && !(connect && authority != null))) {
            return null;
        }
        HttpMethod m;
        try {
            m = HttpMethod.valueOf(method.toString());
        } catch (IllegalArgumentException e) {
            return null;
        }
        // No copy: the exchange edits the received block through the view, and an HTTP/2 upstream sends it on.
        HttpHeaders out = Http2HeadersView.ofRequest(h);
        String uri = path != null ? path.toString() : authority.toString();
        if (endOfStream) {
            return new BodylessRequest(m, uri, out);
        }
        if (!out.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            // A body of unknown length follows (framing for an HTTP/1.1 upstream; an HTTP/2 one drops it).
            out.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, m, uri, out);
    }

    /**
     * A request whose stream ended with its HEADERS: no body and no trailers. Each upstream attempt writes a
     * {@link #retainedDuplicate()}; it shares this request's header block instead of copying it, because the
     * upstream side encodes a request head as it is written (HTTP/1.1 bytes, or an HPACK block for a new
     * stream) and keeps no reference to it, and a retry edits the head ({@code Host}) before writing it again.
     */
    static final class BodylessRequest extends DefaultFullHttpRequest {

        BodylessRequest(HttpMethod method, String uri, HttpHeaders headers) {
            super(HttpVersion.HTTP_1_1, method, uri, Unpooled.EMPTY_BUFFER, headers, EmptyHttpHeaders.INSTANCE);
        }

        @Override
        public FullHttpRequest retainedDuplicate() {
            // The empty buffer is not reference counted: nothing to retain.
            BodylessRequest dup = new BodylessRequest(method(), uri(), headers());
            dup.setProtocolVersion(protocolVersion());
            return dup;
        }
    }
}
