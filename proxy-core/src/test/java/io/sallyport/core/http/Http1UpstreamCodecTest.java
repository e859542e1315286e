package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The upstream HTTP/1.1 codec: body rules by request method, and names and words decoded exactly as sent. */
class Http1UpstreamCodecTest {

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new Http1UpstreamCodec(new HttpDecoderConfig()));
    }

    private static void send(EmbeddedChannel ch, HttpMethod method) {
        assertThat(ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"))).isTrue();
        ByteBuf encoded;
        while ((encoded = ch.readOutbound()) != null) {
            encoded.release();
        }
    }

    private static void receive(EmbeddedChannel ch, String raw) {
        ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    }

    @Test
    void knownAndUnknownHeaderNamesAndWordsKeepTheirBytes() {
        EmbeddedChannel ch = channel();
        send(ch, HttpMethod.GET);
        receive(ch, "HTTP/1.1 200 OK\r\nServer: nginx\r\nCONTENT-TYPE: text/plain\r\nx-Custom: 1\r\n"
                + "Content-Length: 2\r\nETag: \"e\"\r\n\r\nhi");
        HttpResponse r = ch.readInbound();
        assertThat(r.decoderResult().isSuccess()).isTrue();
        assertThat(r.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(r.status().code()).isEqualTo(200);
        assertThat(r.status().reasonPhrase()).isEqualTo("OK");
        assertThat(r.headers().entries()).extracting(Map.Entry::getKey)
                .containsExactly("Server", "CONTENT-TYPE", "x-Custom", "Content-Length", "ETag");
        assertThat(r.headers().get("content-type")).isEqualTo("text/plain");
        HttpContent body = ch.readInbound();
        assertThat(body.content().toString(StandardCharsets.US_ASCII)).isEqualTo("hi");
        assertThat(body).isInstanceOf(LastHttpContent.class);
        body.release();
        send(ch, HttpMethod.GET);
        receive(ch, "HTTP/1.0 404 Gone Fishing\r\nContent-Length: 0\r\n\r\n");
        HttpResponse notFound = ch.readInbound();
        assertThat(notFound.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_0);
        assertThat(notFound.status().code()).isEqualTo(404);
        assertThat(notFound.status().reasonPhrase()).isEqualTo("Gone Fishing");
        assertThat(ch.finishAndReleaseAll()).isTrue();
    }

    @Test
    void chunkedTrailersAreDecoded() {
        EmbeddedChannel ch = channel();
        send(ch, HttpMethod.GET);
        receive(ch, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n"
                + "grpc-status: 0\r\nx-a: 1\r\nx-b: 2\r\nx-c: 3\r\n\r\n");
        HttpResponse r = ch.readInbound();
        assertThat(r.status().code()).isEqualTo(200);
        LastHttpContent last = null;
        Object o;
        while ((o = ch.readInbound()) != null) {
            if (o instanceof LastHttpContent l) {
                last = l;
            } else {
                ReferenceCountUtil.release(o);
            }
        }
        assertThat(last).isNotNull();
        assertThat(last.trailingHeaders().names()).containsExactlyInAnyOrder("grpc-status", "x-a", "x-b", "x-c");
        assertThat(last.trailingHeaders().get("X-C")).isEqualTo("3");
        last.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void anInvalidHeaderNameIsStillRefused() {
        EmbeddedChannel ch = channel();
        send(ch, HttpMethod.GET);
        receive(ch, "HTTP/1.1 200 OK\r\nServer: x\r\nX(y): 1\r\nContent-Length: 0\r\n\r\n");
        HttpResponse r = ch.readInbound();
        assertThat(r.decoderResult().isFailure()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void headResponseHasNoBodyAndTheNextResponseIsReadNormally() {
        EmbeddedChannel ch = channel();
        send(ch, HttpMethod.HEAD);
        send(ch, HttpMethod.GET);
        receive(ch, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
        HttpResponse head = ch.readInbound();
        assertThat(head.headers().get("content-length")).isEqualTo("5");
        Object end = ch.readInbound();
        assertThat(end).isInstanceOf(LastHttpContent.class);
        assertThat(((LastHttpContent) end).content().readableBytes()).isZero();
        ReferenceCountUtil.release(end);
        HttpResponse interim = ch.readInbound();
        assertThat(interim.status().code()).isEqualTo(100);
        ReferenceCountUtil.release(ch.readInbound()); // the interim response's end
        HttpResponse get = ch.readInbound();
        assertThat(get.status().code()).isEqualTo(200);
        HttpContent body = ch.readInbound();
        assertThat(body.content().toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
        body.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void successfulConnectTurnsTheConnectionIntoBytes() {
        EmbeddedChannel ch = channel();
        send(ch, HttpMethod.CONNECT);
        receive(ch, "HTTP/1.1 200 Connection Established\r\n\r\nraw bytes");
        HttpResponse r = ch.readInbound();
        assertThat(r.status().code()).isEqualTo(200);
        ReferenceCountUtil.release(ch.readInbound()); // the empty end of the response
        receive(ch, "HTTP/1.1 not a response");
        StringBuilder rest = new StringBuilder();
        Object o;
        while ((o = ch.readInbound()) != null) {
            assertThat(o).isInstanceOf(ByteBuf.class);
            rest.append(((ByteBuf) o).toString(StandardCharsets.US_ASCII));
            ((ByteBuf) o).release();
        }
        assertThat(rest.toString()).isEqualTo("raw bytesHTTP/1.1 not a response");
        ch.finishAndReleaseAll();
    }
}
