package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The HTTP/2 downstream's header conversions, both ways. */
class Http2ConversionTest {

    @Test
    void requestHeadersBecomeAnHttp1RequestWithHostAndJoinedCookies() {
        Http2Headers h = new DefaultHttp2Headers().method("POST").path("/a?b=c").scheme("http")
                .authority("svc.test:8080");
        h.add("cookie", "a=1").add("cookie", "b=2").add("x-custom", "v").add("content-length", "3");
        HttpRequest req = Http2DownstreamStream.toRequest(h, false);
        assertThat(req.method()).isEqualTo(HttpMethod.POST);
        assertThat(req.uri()).isEqualTo("/a?b=c");
        assertThat(req.headers().get("host")).isEqualTo("svc.test:8080");
        assertThat(req.headers().getAll("cookie")).containsExactly("a=1; b=2");
        assertThat(req.headers().get("x-custom")).isEqualTo("v");
        assertThat(req.headers().names()).noneMatch(n -> n.startsWith(":"));
        assertThat(HttpUtil.isTransferEncodingChunked(req)).isFalse();
    }

    @Test
    void headersWithEndStreamAreAFullRequestAndABodyOfUnknownLengthIsChunked() {
        HttpRequest get = Http2DownstreamStream.toRequest(
                new DefaultHttp2Headers().method("GET").path("/").scheme("http").authority("x"), true);
        assertThat(get).isInstanceOf(FullHttpRequest.class);
        ReferenceCountUtil.release(get);
        HttpRequest post = Http2DownstreamStream.toRequest(
                new DefaultHttp2Headers().method("POST").path("/up").scheme("http").authority("x"), false);
        assertThat(post).isNotInstanceOf(FullHttpRequest.class);
        assertThat(HttpUtil.isTransferEncodingChunked(post)).isTrue();
    }

    @Test
    void malformedRequestHeadersAreRefused() {
        assertThat(Http2DownstreamStream.toRequest(new DefaultHttp2Headers().path("/").scheme("http"), true)).isNull();
        assertThat(Http2DownstreamStream.toRequest(new DefaultHttp2Headers().method("GET").scheme("http"), true))
                .isNull();
        assertThat(Http2DownstreamStream.toRequest(new DefaultHttp2Headers().method("GE T").path("/"), true))
                .isNull();
        HttpRequest connect = Http2DownstreamStream.toRequest(
                new DefaultHttp2Headers().method("CONNECT").authority("host:443"), true);
        assertThat(connect.uri()).isEqualTo("host:443");
        ReferenceCountUtil.release(connect);
    }

    @Test
    void responseFieldsAreLowerCasedWithoutConnectionSpecificOnes() {
        HttpHeaders in = DefaultHttpHeadersFactory.headersFactory().newHeaders();
        in.add("Content-Type", "text/plain").add("Connection", "keep-alive").add("Keep-Alive", "timeout=5")
                .add("Transfer-Encoding", "chunked").add("Upgrade", "h2c").add("Proxy-Connection", "x")
                .add("X-Http2-Stream-Id", "3").add("Set-Cookie", "a=1").add("Set-Cookie", "b=2").add("grpc-status", "0");
        Http2Headers out = Http2ConvertedHeaders.of("200", in);
        assertThat(out.status().toString()).isEqualTo("200");
        assertThat(out.get("content-type").toString()).isEqualTo("text/plain");
        assertThat(out.getAll("set-cookie")).extracting(CharSequence::toString).containsExactly("a=1", "b=2");
        assertThat(out.get("grpc-status").toString()).isEqualTo("0");
        assertThat(out.contains("connection")).isFalse();
        assertThat(out.contains("x-http2-stream-id")).isFalse();
        assertThat(out.size()).isEqualTo(5);
        assertThat(out.names()).allMatch(n -> n.toString().equals(n.toString().toLowerCase()));
        // What the HPACK encoder reads: the pseudo-header first, then the fields in their order.
        assertThat(fields(out)).containsExactly(":status=200", "content-type=text/plain", "set-cookie=a=1",
                "set-cookie=b=2", "grpc-status=0");
    }

    @Test
    void aParsedResponsesSharedNamesConvertAsTheSameNamesAsStringsDo() {
        String head = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\ncontent-length: 2\r\n"
                + "Connection: keep-alive\r\nKeep-Alive: timeout=5\r\nX-Http2-Stream-Id: 3\r\nX-Custom: a\r\n"
                + "x-http2-: b\r\nETag: \"e\"\r\nx-envoy-upstream-service-time: 4\r\n\r\nok";
        ByteBuf in = Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII);
        HttpResponse parsed = new Http1ResponseHeadParser(FlatHttpHeadersFactory.HEADERS, 8192).parse(in);
        in.release();
        assertThat(parsed).isNotNull();
        assertThat(parsed.headers().names()).contains("Server", "Content-Type", "ETag");
        HttpHeaders strings = DefaultHttpHeadersFactory.headersFactory().newHeaders();
        for (Map.Entry<String, String> e : parsed.headers()) {
            strings.add(new String(e.getKey()), e.getValue()); // equal names that are not the shared objects
        }
        List<String> fromShared = fields(Http2ConvertedHeaders.of("200", parsed.headers()));
        assertThat(fromShared).isEqualTo(fields(Http2ConvertedHeaders.of("200", strings)));
        assertThat(fromShared).containsExactly(":status=200", "server=nginx", "content-type=text/plain",
                "content-length=2", "x-custom=a", "x-http2-=b", "etag=\"e\"", "x-envoy-upstream-service-time=4");
        // The common names come out as the constants the HPACK encoder's static table holds.
        Http2Headers out = Http2ConvertedHeaders.of("200", parsed.headers());
        List<CharSequence> names = new ArrayList<>(out.names());
        assertThat((Object) names.get(2)).isSameAs(HttpHeaderNames.CONTENT_TYPE);
    }

    @Test
    void everySharedNameLowerCasesAsItsStringAndIsConnectionSpecificAsItsString() {
        for (AsciiString shared : Http1UpstreamCodec.KnownTokens.sharedNames()) {
            String plain = new String(shared.toString());
            AsciiString lower = Http2FieldNames.lowerCase(shared);
            assertThat(lower.toString()).as(plain).isEqualTo(plain.toLowerCase(java.util.Locale.ROOT));
            assertThat(lower.contentEquals(Http2FieldNames.lowerCase(plain))).as(plain).isTrue();
            assertThat(Http2FieldNames.connectionSpecific(shared)).as(plain)
                    .isEqualTo(Http2FieldNames.connectionSpecific(plain));
        }
        assertThat(Http2FieldNames.hasConversionPrefix("X-HTTP2-Scheme")).isTrue();
        assertThat(Http2FieldNames.hasConversionPrefix("x-http2-")).isFalse();
        assertThat(Http2FieldNames.hasConversionPrefix("x-http3-a")).isFalse();
        assertThat(Http2FieldNames.hasConversionPrefix("y-http2-a")).isFalse();
    }

    private static List<String> fields(Http2Headers h) {
        List<String> fields = new ArrayList<>();
        for (Map.Entry<CharSequence, CharSequence> e : h) {
            fields.add(e.getKey() + "=" + e.getValue());
        }
        return fields;
    }

    @Test
    void convertedTrailersHaveNoStatusAndTheBlockIsReadOnly() {
        HttpHeaders in = DefaultHttpHeadersFactory.trailersFactory().newHeaders();
        in.add("Grpc-Status", "0").add("grpc-message", "ok");
        Http2Headers out = Http2ConvertedHeaders.of(null, in);
        assertThat(out.status()).isNull();
        assertThat(out.size()).isEqualTo(2);
        assertThat(out.iterator().next().getKey().toString()).isEqualTo("grpc-status");
        assertThat(out.contains("grpc-message", "OK", true)).isTrue();
        assertThat(out.contains("grpc-message", "OK", false)).isFalse();
        assertThatThrownBy(() -> out.add("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> out.status("204")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(Http2ConvertedHeaders.of(null, DefaultHttpHeadersFactory.trailersFactory().newHeaders()).isEmpty())
                .isTrue();
    }

    @Test
    void aBodylessRequestsDuplicatesShareItsHeadersAndHaveNoTrailers() {
        FullHttpRequest get = (FullHttpRequest) Http2DownstreamStream.toRequest(
                new DefaultHttp2Headers().method("GET").path("/a").scheme("http").authority("x"), true);
        assertThat(get.trailingHeaders().isEmpty()).isTrue();
        FullHttpRequest dup = get.retainedDuplicate();
        assertThat(dup).isNotSameAs(get);
        assertThat(dup.headers()).isSameAs(get.headers());
        assertThat(dup.method()).isEqualTo(HttpMethod.GET);
        assertThat(dup.uri()).isEqualTo("/a");
        assertThat(dup.content().isReadable()).isFalse();
        // A retry edits the head of the request it keeps and writes a new duplicate: the edit is in it.
        get.headers().set("host", "origin.test");
        assertThat(get.retainedDuplicate().headers().get("host")).isEqualTo("origin.test");
        ReferenceCountUtil.release(dup);
        ReferenceCountUtil.release(get);
    }

    @Test
    void upstreamRequestHeadersCarryPseudoHeadersAndOnlyTheTrailersTe() {
        HttpRequest req = new io.netty.handler.codec.http.DefaultHttpRequest(
                io.netty.handler.codec.http.HttpVersion.HTTP_1_1, HttpMethod.POST, "/pkg.Svc/Call");
        req.headers().add("Host", "grpc.test:443").add("TE", "trailers").add("Content-Type", "application/grpc")
                .add("Transfer-Encoding", "chunked").add("X-Request-Id", "r1");
        Http2Headers h = Http2UpstreamStream.requestHeaders(req, false);
        assertThat(h.method().toString()).isEqualTo("POST");
        assertThat(h.path().toString()).isEqualTo("/pkg.Svc/Call");
        assertThat(h.scheme().toString()).isEqualTo("http");
        assertThat(h.authority().toString()).isEqualTo("grpc.test:443");
        assertThat(h.get("te").toString()).isEqualTo("trailers");
        assertThat(h.get("content-type").toString()).isEqualTo("application/grpc");
        assertThat(h.get("x-request-id").toString()).isEqualTo("r1");
        assertThat(h.contains("host")).isFalse();
        assertThat(h.contains("transfer-encoding")).isFalse();
        assertThat(Http2UpstreamStream.requestHeaders(req, true).scheme().toString()).isEqualTo("https");
    }
}
