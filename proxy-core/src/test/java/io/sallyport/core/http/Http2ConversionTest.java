package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.ReferenceCountUtil;
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
        Http2Headers out = Http2DownstreamStream.toHttp2(in, new DefaultHttp2Headers().status("200"));
        assertThat(out.status().toString()).isEqualTo("200");
        assertThat(out.get("content-type").toString()).isEqualTo("text/plain");
        assertThat(out.getAll("set-cookie")).hasSize(2);
        assertThat(out.get("grpc-status").toString()).isEqualTo("0");
        assertThat(out.size()).isEqualTo(5);
        assertThat(out.names()).allMatch(n -> n.toString().equals(n.toString().toLowerCase()));
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
