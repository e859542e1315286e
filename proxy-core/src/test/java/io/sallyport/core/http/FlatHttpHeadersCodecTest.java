package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link FlatHttpHeaders} inside Netty's real HTTP/1.1 decoders and encoders: what is decoded equals what the
 * default factory decodes, and encoding it again gives back the bytes received.
 */
class FlatHttpHeadersCodecTest {

    private static HttpDecoderConfig flatConfig() {
        return new HttpDecoderConfig().setHeadersFactory(FlatHttpHeadersFactory.HEADERS)
                .setTrailersFactory(FlatHttpHeadersFactory.TRAILERS);
    }

    private static final String REQUEST = "POST /upload?x=1 HTTP/1.1\r\n"
            + "Host: example.com:8080\r\n"
            + "User-Agent: curl/8.5.0\r\n"
            + "Accept: */*\r\n"
            + "X-Many: 1\r\n"
            + "x-many: 2\r\n"
            + "Connection: keep-alive, Upgrade\r\n"
            + "Transfer-Encoding: chunked\r\n"
            + "\r\n"
            + "5\r\nhello\r\n"
            + "0\r\n"
            + "X-Checksum: abc\r\n"
            + "\r\n";

    private static final String RESPONSE = "HTTP/1.1 200 OK\r\n"
            + "Server: nginx/1.22.1\r\n"
            + "Date: Sun, 22 Nov 2026 07:00:00 GMT\r\n"
            + "Content-Type: application/octet-stream\r\n"
            + "Transfer-Encoding: chunked\r\n"
            + "Connection: keep-alive\r\n"
            + "ETag: \"6720-400\"\r\n"
            + "Set-Cookie: a=1\r\n"
            + "Set-Cookie: b=2\r\n"
            + "Accept-Ranges: bytes\r\n"
            + "F1: 1\r\nF2: 2\r\nF3: 3\r\nF4: 4\r\nF5: 5\r\nF6: 6\r\nF7: 7\r\nF8: 8\r\nF9: 9\r\n"
            + "\r\n"
            + "3\r\nabc\r\n"
            + "0\r\n"
            + "Grpc-Status: 0\r\n"
            + "Grpc-Message: ok\r\n"
            + "\r\n";

    @Test
    void aRequestDecodesAsWithNettysHeadersAndEncodesBackToItsBytes() {
        List<HttpObject> flat = decode(() -> new HttpRequestDecoder(flatConfig()), REQUEST);
        List<HttpObject> netty = decode(HttpRequestDecoder::new, REQUEST);
        try {
            HttpRequest req = (HttpRequest) flat.get(0);
            assertThat(req.decoderResult().isSuccess()).isTrue();
            assertThat(req.headers()).isInstanceOf(FlatHttpHeaders.class);
            assertThat(fields(req.headers())).isEqualTo(fields(((HttpMessage) netty.get(0)).headers()));
            assertThat(req.headers().getAll("x-many")).containsExactly("1", "2");
            assertThat(HttpUtil.isKeepAlive(req)).isTrue();
            assertThat(HttpUtil.isTransferEncodingChunked(req)).isTrue();
            LastHttpContent last = (LastHttpContent) flat.get(flat.size() - 1);
            assertThat(last.trailingHeaders()).isInstanceOf(FlatHttpHeaders.class);
            assertThat(fields(last.trailingHeaders()))
                    .isEqualTo(fields(((LastHttpContent) netty.get(netty.size() - 1)).trailingHeaders()))
                    .containsExactly("X-Checksum: abc");
            assertThat(encode(new HttpRequestEncoder(), flat)).isEqualTo(REQUEST);
        } finally {
            release(flat);
            release(netty);
        }
    }

    @Test
    void aResponseWithManyFieldsAndTrailersDecodesAndEncodesBack() {
        List<HttpObject> flat = decode(() -> new HttpResponseDecoder(flatConfig()), RESPONSE);
        List<HttpObject> netty = decode(HttpResponseDecoder::new, RESPONSE);
        try {
            HttpResponse resp = (HttpResponse) flat.get(0);
            assertThat(resp.decoderResult().isSuccess()).isTrue();
            assertThat(resp.headers().size()).isEqualTo(18);
            assertThat(fields(resp.headers())).isEqualTo(fields(((HttpMessage) netty.get(0)).headers()));
            assertThat(resp.headers().getAll("set-cookie")).containsExactly("a=1", "b=2");
            LastHttpContent last = (LastHttpContent) flat.get(flat.size() - 1);
            assertThat(fields(last.trailingHeaders())).containsExactly("Grpc-Status: 0", "Grpc-Message: ok");
            assertThat(encode(new HttpResponseEncoder(), flat)).isEqualTo(RESPONSE);
        } finally {
            release(flat);
            release(netty);
        }
    }

    @Test
    void editsMadeBetweenDecodingAndEncodingReachTheWire() {
        List<HttpObject> flat = decode(() -> new HttpResponseDecoder(flatConfig()),
                "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\nServer: x\r\n\r\nhi");
        try {
            HttpResponse resp = (HttpResponse) flat.get(0);
            resp.headers().remove("connection");
            resp.headers().set("server", "proxy");
            resp.headers().add("x-request-id", "42");
            assertThat(encode(new HttpResponseEncoder(), flat))
                    .isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nserver: proxy\r\nx-request-id: 42\r\n\r\nhi");
        } finally {
            release(flat);
        }
    }

    @Test
    void malformedFieldsFailTheMessageAsWithNettysHeaders() {
        String bad = "GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n";
        List<HttpObject> flat = decode(() -> new HttpRequestDecoder(flatConfig()), bad);
        List<HttpObject> netty = decode(HttpRequestDecoder::new, bad);
        try {
            assertThat(flat.get(0).decoderResult().isFailure()).isTrue();
            assertThat(flat.get(0).decoderResult().cause()).hasSameClassAs(netty.get(0).decoderResult().cause())
                    .hasMessage(netty.get(0).decoderResult().cause().getMessage());
        } finally {
            release(flat);
            release(netty);
        }
    }

    @Test
    void aTrailerMayNotCarryFraming() {
        String chunkedWithBadTrailer = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\nContent-Length: 5\r\nX-Ok: 1\r\n\r\n";
        List<HttpObject> flat = decode(() -> new HttpRequestDecoder(flatConfig()), chunkedWithBadTrailer);
        List<HttpObject> netty = decode(HttpRequestDecoder::new, chunkedWithBadTrailer);
        try {
            LastHttpContent flatLast = (LastHttpContent) flat.get(flat.size() - 1);
            LastHttpContent nettyLast = (LastHttpContent) netty.get(netty.size() - 1);
            assertThat(flatLast.decoderResult().isSuccess()).isEqualTo(nettyLast.decoderResult().isSuccess());
            assertThat(fields(flatLast.trailingHeaders())).isEqualTo(fields(nettyLast.trailingHeaders()));
        } finally {
            release(flat);
            release(netty);
        }
    }

    private static List<HttpObject> decode(Supplier<? extends io.netty.channel.ChannelHandler> decoder, String raw) {
        EmbeddedChannel ch = new EmbeddedChannel(decoder.get());
        ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
        List<HttpObject> out = new ArrayList<>();
        HttpObject o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        ch.finishAndReleaseAll();
        return out;
    }

    private static String encode(io.netty.channel.ChannelHandler encoder, List<HttpObject> messages) {
        EmbeddedChannel ch = new EmbeddedChannel(encoder);
        for (HttpObject m : messages) {
            ch.writeOutbound(ReferenceCountUtil.retain(m));
        }
        StringBuilder s = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            s.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        ch.finishAndReleaseAll();
        return s.toString();
    }

    private static List<String> fields(io.netty.handler.codec.http.HttpHeaders h) {
        List<String> f = new ArrayList<>();
        for (Map.Entry<String, String> e : h) {
            f.add(e.getKey() + ": " + e.getValue());
        }
        return f;
    }

    private static void release(List<HttpObject> objects) {
        for (HttpObject o : objects) {
            if (o instanceof HttpContent c && c.refCnt() > 0) {
                c.release();
            }
        }
    }
}
