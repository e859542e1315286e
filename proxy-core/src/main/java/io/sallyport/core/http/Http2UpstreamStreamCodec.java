package io.sallyport.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;

/**
 * Adapts one upstream HTTP/2 stream channel to the {@code HttpObject}s a {@link ProxyExchange} writes and
 * reads: the request head becomes a HEADERS frame (pseudo-headers from the request line and {@code Host}),
 * body chunks DATA frames, trailers a final HEADERS frame; the response comes back the other way. It does
 * what Netty's {@code Http2StreamFrameToHttpObjectCodec} did here without its intermediate lists and
 * {@code x-http2-*} fields, which the exchange would only strip again.
 */
final class Http2UpstreamStreamCodec extends ChannelDuplexHandler {

    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);
    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString HTTPS = AsciiString.cached("https");

    private boolean responseStarted;

    // ---- request -----------------------------------------------------------------------------------

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpRequest req) {
            Http2Headers h = requestHeaders(req, ctx.channel());
            if (msg instanceof FullHttpRequest full) {
                ByteBuf content = full.content();
                if (!content.isReadable() && full.trailingHeaders().isEmpty()) {
                    content.release();
                    ctx.write(new DefaultHttp2HeadersFrame(h, true), promise);
                    return;
                }
                ctx.write(new DefaultHttp2HeadersFrame(h, false), ctx.voidPromise());
                writeEnd(ctx, content, full.trailingHeaders(), promise);
                return;
            }
            ctx.write(new DefaultHttp2HeadersFrame(h, false), promise);
        } else if (msg instanceof LastHttpContent last) {
            writeEnd(ctx, last.content(), last.trailingHeaders(), promise);
        } else if (msg instanceof HttpContent c) {
            ctx.write(new DefaultHttp2DataFrame(c.content(), false), promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    private static void writeEnd(ChannelHandlerContext ctx, ByteBuf content, HttpHeaders trailers,
                                 ChannelPromise promise) {
        if (trailers.isEmpty()) {
            ctx.write(new DefaultHttp2DataFrame(content, true), promise);
            return;
        }
        if (content.isReadable()) {
            ctx.write(new DefaultHttp2DataFrame(content, false), ctx.voidPromise());
        } else {
            content.release();
        }
        Http2Headers t = Http2DownstreamStream.toHttp2(trailers, new DefaultHttp2Headers(false, trailers.size()));
        ctx.write(new DefaultHttp2HeadersFrame(t, true), promise);
    }

    /** The request's HTTP/2 header block: {@code :method :scheme :authority :path}, then its fields. */
    static Http2Headers requestHeaders(HttpRequest req, Channel stream) {
        HttpHeaders in = req.headers();
        Http2Headers out = new DefaultHttp2Headers(false, in.size() + 4);
        out.method(req.method().asciiName());
        boolean connect = HttpMethod.CONNECT.equals(req.method());
        if (!connect) {
            Channel conn = stream.parent() != null ? stream.parent() : stream;
            out.scheme(conn.pipeline().get(SslHandler.class) != null ? HTTPS : HTTP);
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
            AsciiString name = AsciiString.of(e.getKey()).toLowerCase();
            if (HttpHeaderNames.TE.contentEquals(name)) {
                // The one TE an HTTP/2 request may carry (RFC 9113 §8.2.2).
                if (AsciiString.containsIgnoreCase(e.getValue(), HttpHeaderValues.TRAILERS)) {
                    out.add(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
                }
            } else if (!Http2DownstreamStream.connectionSpecific(name)) {
                out.add(name, e.getValue());
            }
        }
        return out;
    }

    // ---- response ----------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame f) {
            onHeaders(ctx, f.headers(), f.isEndStream());
        } else if (msg instanceof Http2DataFrame d) {
            // The frame's content passes on as the chunk's: ownership moves with it.
            ctx.fireChannelRead(d.isEndStream() ? new DefaultLastHttpContent(d.content(), TRAILERS)
                    : new DefaultHttpContent(d.content()));
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void onHeaders(ChannelHandlerContext ctx, Http2Headers h, boolean endOfStream) {
        CharSequence status = h.status();
        if (status == null) {
            if (!responseStarted) {
                ctx.fireExceptionCaught(new DecoderException("HTTP/2 response without :status"));
                return;
            }
            LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, TRAILERS);
            copyFields(h, last.trailingHeaders());
            ctx.fireChannelRead(last);
            return;
        }
        HttpResponseStatus s;
        try {
            s = HttpResponseStatus.parseLine(status);
        } catch (IllegalArgumentException e) {
            ctx.fireExceptionCaught(new DecoderException("invalid :status " + status));
            return;
        }
        if (s.codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL) {
            // Interim responses (100 Continue) stop at the proxy.
            return;
        }
        responseStarted = true;
        HttpHeaders out = HEADERS.newHeaders();
        copyFields(h, out);
        ctx.fireChannelRead(endOfStream
                ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, s, Unpooled.EMPTY_BUFFER, out, TRAILERS.newHeaders())
                : new DefaultHttpResponse(HttpVersion.HTTP_1_1, s, out));
    }

    private static void copyFields(Http2Headers in, HttpHeaders out) {
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = in.iterator(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            CharSequence name = e.getKey();
            if (name.length() == 0 || name.charAt(0) != ':') {
                out.add(name, e.getValue());
            }
        }
    }
}
