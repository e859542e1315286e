package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The usual response head read by {@link Http1ResponseHeadParser} (through {@link Http1UpstreamCodec}) decodes
 * exactly as Netty's decoder decodes it, and every other head is left, unread, to Netty's decoder.
 */
class Http1ResponseHeadParserTest {

    private static final int MAX_HEAD = 1024;

    private static HttpDecoderConfig config() {
        return new HttpDecoderConfig().setMaxHeaderSize(MAX_HEAD).setMaxChunkSize(100);
    }

    private static Http1ResponseHeadParser parser() {
        return new Http1ResponseHeadParser(FlatHttpHeadersFactory.HEADERS, MAX_HEAD);
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    /** Heads the parser reads (with 7 bytes of body after each). */
    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Length: 7\r\nConnection: keep-alive\r\n\r\n",
        "HTTP/1.0 200 OK\r\ncontent-length: 7\r\n\r\n",
        "HTTP/1.1 200\r\nCONTENT-LENGTH: 7\r\n\r\n",
        "HTTP/1.1 200 \r\nContent-Length:7\r\n\r\n",
        "HTTP/1.1 404   Gone  Fishing \t\r\nContent-Length: 007\r\nX-Empty:\r\nX-Blank: \t \r\n\r\n",
        "HTTP/1.1 502 Bad Gateway\r\nContent-Length: \t7 \r\nx-a: 1\r\nX-A: 2\r\nX-Tab:\ta\tb\t\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nWeird!#$%&'*+-.^_`|~Name09: \"quoted\" (x) {y} [z] <w> @ =;\r\n\r\n",
        "HTTP/1.1 599 Custom\r\nContent-Length: 7\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n",
    })
    void aUsualHeadDecodesAsNettysDecoderDecodesIt(String head) {
        String response = head + "1234567";
        ByteBuf in = bytes(response);
        HttpResponse parsed = parser().parse(in);
        assertThat(parsed).isNotNull();
        assertThat(in.readerIndex()).isEqualTo(head.length());
        in.release();

        List<HttpObject> ours = decode(new Http1UpstreamCodec(config()), response);
        List<HttpObject> netty = decode(nettyCodec(), response);
        assertSameMessages(ours, netty);
        HttpResponse r = (HttpResponse) ours.get(0);
        r.headers().iteratorCharSequence().forEachRemaining(e -> assertThat(e.getValue()).isInstanceOf(AsciiString.class));
        release(ours);
        release(netty);
    }

    /** Heads left to Netty's decoder, unread. */
    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n1234567\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n1234567\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nServer: x\r\n\r\n1234567", // no length: the body ends with the connection
        "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nContent-Length: 7\r\n\r\n1234567",
        "HTTP/1.1 200 OK\r\nContent-Length: +7\r\n\r\n1234567",
        "HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456789\r\n\r\n1234567",
        "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nX-Folded: a\r\n b\r\n\r\n1234567",
        "HTTP/1.1 200 OK\r\nContent-Length : 7\r\n\r\n1234567",
        "HTTP/1.1 200 OK\nContent-Length: 7\r\n\r\n1234567",
        "HTTP/1.1 200 OK\r\nContent-Length: 7\nX-A: 1\r\n\r\n1234567",
        "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nX-A: a\rb\r\n\r\n1234567",
        "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nX-A: a\u0001b\r\n\r\n1234567",
        "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nX-A: caf\u00e9\r\n\r\n1234567",
        "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nX-A: \u007f\r\n\r\n1234567",
        "HTTP/1.1 200 Caf\u00e9\r\nContent-Length: 7\r\n\r\n1234567",
        "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n",
        "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n1234567",
        "HTTP/1.1 200OK\r\nContent-Length: 7\r\n\r\n1234567",
        "HTTP/1.1\t200 OK\r\nContent-Length: 7\r\n\r\n1234567",
        "HTTP/1.1 2000 OK\r\nContent-Length: 7\r\n\r\n1234567",
        "HTTP/2.0 200 OK\r\nContent-Length: 7\r\n\r\n1234567",
        "\r\nHTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n1234567",
        "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nX(y): 1\r\n\r\n1234567",
        "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n",
    })
    void anyOtherHeadIsLeftUnreadToNettysDecoder(String response) {
        ByteBuf in = bytes(response);
        assertThat(parser().parse(in)).isNull();
        assertThat(in.readerIndex()).isZero();
        in.release();

        List<HttpObject> ours = decode(new Http1UpstreamCodec(config()), response);
        List<HttpObject> netty = decode(nettyCodec(), response);
        assertSameMessages(ours, netty);
        release(ours);
        release(netty);
    }

    @Test
    void everyByteOfALongValueIsCheckedWhereverItFallsInTheEightByteSteps() {
        for (int at = 0; at < 24; at++) {
            for (char bad : new char[] {0x00, 0x01, 0x0B, 0x1F, 0x7F, 0x80, 0xFF, '\r', '\n'}) {
                String value = "v".repeat(at) + bad + "w".repeat(24 - at);
                ByteBuf in = bytes("HTTP/1.1 200 OK\r\nX-Long: " + value + "\r\nContent-Length: 0\r\n\r\n");
                assertThat(parser().parse(in)).as("byte %02x at %d", (int) bad, at).isNull();
                assertThat(in.readerIndex()).isZero();
                in.release();
            }
            String tabbed = "u" + "v".repeat(at) + "\t~ !" + "w".repeat(24 - at);
            ByteBuf in = bytes("HTTP/1.1 200 OK\r\nX-Long: " + tabbed + "\r\nContent-Length: 0\r\n\r\n");
            HttpResponse r = parser().parse(in);
            assertThat(r).as("tab at %d", at).isNotNull();
            assertThat(r.headers().get("x-long")).isEqualTo(tabbed);
            in.release();
        }
    }

    @Test
    void aHeadLargerThanTheLimitIsLeftToNettysDecoder() {
        String head = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nX-Big: " + "a".repeat(MAX_HEAD) + "\r\n\r\n";
        ByteBuf in = bytes(head + "1");
        assertThat(parser().parse(in)).isNull();
        assertThat(in.readerIndex()).isZero();
        in.release();
        List<HttpObject> ours = decode(new Http1UpstreamCodec(config()), head + "1");
        assertThat(ours.get(0).decoderResult().isFailure()).isTrue(); // Netty's limit, as before
        release(ours);
    }

    @Test
    void theBodyIsSlicedAsNettysDecoderSlicesItWhateverTheReads() {
        String body = "x".repeat(250);
        String response = "HTTP/1.1 200 OK\r\nContent-Length: 250\r\n\r\n" + body;
        // Whole, then in pieces of 1, 7 and 64 bytes (a head split over reads goes to Netty's decoder).
        for (int piece : new int[] {response.length(), 1, 7, 64}) {
            EmbeddedChannel ch = upstream();
            send(ch, HttpMethod.GET);
            for (int i = 0; i < response.length(); i += piece) {
                ch.writeInbound(bytes(response.substring(i, Math.min(response.length(), i + piece))));
            }
            List<HttpObject> got = readAll(ch);
            assertThat(got.get(0)).isInstanceOf(HttpResponse.class);
            StringBuilder received = new StringBuilder();
            for (HttpObject o : got.subList(1, got.size())) {
                HttpContent c = (HttpContent) o;
                assertThat(c.content().readableBytes()).isLessThanOrEqualTo(100); // the chunk size limit
                received.append(c.content().toString(StandardCharsets.US_ASCII));
            }
            assertThat(got.get(got.size() - 1)).isInstanceOf(LastHttpContent.class);
            assertThat(got.subList(1, got.size() - 1)).noneMatch(o -> o instanceof LastHttpContent);
            assertThat(received.toString()).isEqualTo(body);
            release(got);
            assertThat(ch.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void readAndNettyDecodedResponsesTakeTurnsOnOneConnection() {
        EmbeddedChannel ch = upstream();
        for (int i = 0; i < 5; i++) {
            send(ch, HttpMethod.GET);
        }
        send(ch, HttpMethod.HEAD);
        send(ch, HttpMethod.GET);
        ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"
                + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Len"));
        ch.writeInbound(bytes("gth: 4\r\n\r\nfour"
                + "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfive"
                + "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n" // HEAD: no body
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nseven"));
        List<HttpObject> got = readAll(ch);
        List<String> seen = new ArrayList<>();
        for (HttpObject o : got) {
            if (o instanceof HttpResponse r) {
                seen.add(String.valueOf(r.status().code()));
            }
            if (o instanceof HttpContent c && c.content().isReadable()) {
                seen.add(c.content().toString(StandardCharsets.US_ASCII));
            }
            if (o instanceof LastHttpContent) {
                seen.add("end");
            }
        }
        assertThat(seen).containsExactly("200", "one", "end", "200", "two", "end", "201", "end", "200", "four", "end",
                "200", "five", "end", "200", "end", "200", "seven", "end");
        release(got);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anOriginClosingInsideTheBodyEndsNothingAsNettysDecoderEndsNothing() {
        String cut = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345";
        for (boolean nettys : new boolean[] {false, true}) {
            EmbeddedChannel ch = nettys ? new EmbeddedChannel(nettyCodec()) : upstream();
            send(ch, HttpMethod.GET);
            ch.writeInbound(bytes(cut));
            ch.finish();
            List<HttpObject> got = readAll(ch);
            assertThat(got).hasSize(2);
            assertThat(got.get(1)).isNotInstanceOf(LastHttpContent.class);
            release(got);
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** Netty's decoder with the flat maps the proxy's codec makes (and Netty's request encoder). */
    private static CombinedChannelDuplexHandler<HttpResponseDecoder, HttpRequestEncoder> nettyCodec() {
        return new CombinedChannelDuplexHandler<>(new HttpResponseDecoder(config()
                .setHeadersFactory(FlatHttpHeadersFactory.HEADERS).setTrailersFactory(FlatHttpHeadersFactory.TRAILERS)),
                new HttpRequestEncoder());
    }

    private static EmbeddedChannel upstream() {
        return new EmbeddedChannel(new Http1UpstreamCodec(config()));
    }

    private static void send(EmbeddedChannel ch, HttpMethod method) {
        ch.writeOutbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, "/"), LastHttpContent.EMPTY_LAST_CONTENT);
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ReferenceCountUtil.release(o);
        }
    }

    /** What {@code handler} decodes from {@code response}, the answer to one GET, received in one read. */
    private static List<HttpObject> decode(ChannelHandler handler, String response) {
        EmbeddedChannel ch = new EmbeddedChannel(handler);
        send(ch, HttpMethod.GET);
        ch.writeInbound(bytes(response));
        ch.finish();
        return readAll(ch);
    }

    private static List<HttpObject> readAll(EmbeddedChannel ch) {
        List<HttpObject> got = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            got.add((HttpObject) o);
        }
        return got;
    }

    private static void release(List<HttpObject> objects) {
        objects.forEach(ReferenceCountUtil::release);
    }

    private static void assertSameMessages(List<HttpObject> ours, List<HttpObject> netty) {
        assertThat(ours).hasSameSizeAs(netty);
        for (int i = 0; i < ours.size(); i++) {
            HttpObject a = ours.get(i);
            HttpObject b = netty.get(i);
            assertThat(a.decoderResult().isSuccess()).isEqualTo(b.decoderResult().isSuccess());
            assertThat(a instanceof LastHttpContent).isEqualTo(b instanceof LastHttpContent);
            if (b instanceof HttpResponse rb) {
                HttpResponse ra = (HttpResponse) a;
                assertThat(ra.protocolVersion()).isEqualTo(rb.protocolVersion());
                assertThat(ra.status().code()).isEqualTo(rb.status().code());
                assertThat(ra.status().reasonPhrase()).isEqualTo(rb.status().reasonPhrase());
                assertThat(fields(ra)).isEqualTo(fields(rb));
            }
            if (b instanceof HttpContent cb) {
                assertThat(((HttpContent) a).content()).isEqualTo(cb.content());
            }
        }
    }

    private static List<String> fields(HttpResponse r) {
        List<String> f = new ArrayList<>();
        for (Map.Entry<String, String> e : r.headers()) {
            f.add(e.getKey() + "=" + e.getValue());
        }
        return f;
    }
}
