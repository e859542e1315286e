package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** HTTP/1 header access over a received HTTP/2 block, and the block sent on after the exchange's edits. */
class Http2HeadersViewTest {

    private static Http2Headers grpcRequest() {
        Http2Headers h = new DefaultHttp2Headers().method("POST").path("/pkg.Svc/Call").scheme("http")
                .authority("grpc.test:8080");
        h.add("content-type", "application/grpc").add("te", "trailers").add("user-agent", "ua/1");
        return h;
    }

    private static List<String> names(HttpHeaders headers) {
        List<String> out = new ArrayList<>();
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            out.add(it.next().getKey().toString());
        }
        return out;
    }

    @Test
    void aRequestViewHidesPseudoHeadersAndShowsTheAuthorityAsHost() {
        HttpHeaders v = Http2HeadersView.ofRequest(grpcRequest());
        assertThat(v.get("Host")).isEqualTo("grpc.test:8080");
        assertThat(v.get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/grpc");
        assertThat(v.get("Content-Type")).isEqualTo("application/grpc");
        assertThat(v.get(":path")).isNull();
        assertThat(v.contains(":method")).isFalse();
        assertThat(names(v)).containsExactly("host", "content-type", "te", "user-agent");
        assertThat(v.size()).isEqualTo(4);
        assertThat(v.names()).containsExactly("host", "content-type", "te", "user-agent");
        assertThat(v.containsValue("TE", "trailers", true)).isTrue();
        assertThat(v.getAll("host")).containsExactly("grpc.test:8080");
    }

    @Test
    void editsThroughTheViewLandInTheBlockInLowerCase() {
        Http2Headers h = grpcRequest();
        HttpHeaders v = Http2HeadersView.ofRequest(h);
        v.set("X-Request-Id", "r1");
        v.add("X-Forwarded-For", "10.0.0.1");
        v.set(HttpHeaderNames.HOST, "upstream.test:443");
        v.remove("User-Agent");
        v.setInt("Content-Length", 12);
        assertThat(h.get("x-request-id").toString()).isEqualTo("r1");
        assertThat(h.get("x-forwarded-for").toString()).isEqualTo("10.0.0.1");
        assertThat(h.authority().toString()).isEqualTo("upstream.test:443");
        assertThat(h.contains("user-agent")).isFalse();
        assertThat(HttpUtil.getContentLength(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/", v)))
                .isEqualTo(12);
        assertThat(h.contains("host")).isFalse();
        assertThat(h.path().toString()).isEqualTo("/pkg.Svc/Call");
    }

    @Test
    void aHostFieldBecomesTheAuthorityAndCookiesAreJoined() {
        Http2Headers h = new DefaultHttp2Headers().method("GET").path("/").scheme("http");
        h.add("host", "only-host.test").add("cookie", "a=1").add("cookie", "b=2");
        HttpHeaders v = Http2HeadersView.ofRequest(h);
        assertThat(h.authority().toString()).isEqualTo("only-host.test");
        assertThat(h.contains("host")).isFalse();
        assertThat(v.get("host")).isEqualTo("only-host.test");
        assertThat(v.getAll("cookie")).containsExactly("a=1; b=2");
    }

    @Test
    void hopByHopStrippingWorksOnTheView() {
        Http2Headers h = grpcRequest();
        h.add("connection", "x-private").add("x-private", "1").add("transfer-encoding", "chunked")
                .add("x-http2-stream-id", "3");
        h.set("te", "trailers, deflate");
        HttpHeaders v = Http2HeadersView.ofRequest(h);
        HopByHopHeaders.strip(v);
        assertThat(names(v)).containsExactlyInAnyOrder("host", "content-type", "user-agent", "te");
        assertThat(v.get("te")).isEqualTo("trailers");
    }

    @Test
    void anHttp2UpstreamGetsTheSameBlockWithTheExchangesEditsAndNoConnectionFields() {
        Http2Headers h = grpcRequest();
        HttpRequest req = Http2DownstreamStream.toRequest(h, false);
        req.headers().set("x-request-id", "r2");
        req.headers().set(HttpHeaderNames.HOST, "origin.test:9000");
        req.setUri("/pkg.Svc/Other");
        Http2Headers out = Http2UpstreamStream.requestHeaders(req, true);
        assertThat(out).isSameAs(h);
        assertThat(out.scheme().toString()).isEqualTo("https");
        assertThat(out.path().toString()).isEqualTo("/pkg.Svc/Other");
        assertThat(out.authority().toString()).isEqualTo("origin.test:9000");
        assertThat(out.get("x-request-id").toString()).isEqualTo("r2");
        // The body of unknown length was framed as chunked for an HTTP/1.1 upstream; HTTP/2 drops it.
        assertThat(out.contains("transfer-encoding")).isFalse();
        assertThat(out.get("te").toString()).isEqualTo("trailers");
        List<String> order = new ArrayList<>();
        out.forEach(e -> order.add(e.getKey().toString()));
        // Pseudo-header fields precede the regular ones (RFC 9113 §8.3).
        assertThat(order.subList(0, 4)).allMatch(n -> n.startsWith(":"));
        assertThat(order.subList(4, order.size())).noneMatch(n -> n.startsWith(":"));
    }

    @Test
    void aResponseViewHidesTheStatusAndKeepsAHostField() {
        Http2Headers h = new DefaultHttp2Headers().status("200");
        h.add("content-type", "application/grpc").add("host", "kept").add("connection", "close");
        HttpHeaders v = Http2HeadersView.ofResponse(h);
        assertThat(names(v)).containsExactly("content-type", "host", "connection");
        HopByHopHeaders.strip(v);
        Http2HeadersView.stripConnectionSpecific(h);
        assertThat(h.status().toString()).isEqualTo("200");
        assertThat(h.contains("connection")).isFalse();
        assertThat(h.contains("host")).isFalse();
        assertThat(v.isEmpty()).isFalse();
        v.clear();
        assertThat(v.isEmpty()).isTrue();
        assertThat(h.status().toString()).isEqualTo("200");
    }

    @Test
    void strippingRemovesTheFieldsHttp2ForbidsAndKeepsOnlyATrailersTe() {
        Http2Headers h = new DefaultHttp2Headers().status("200");
        h.add("content-type", "application/grpc").add("te", "trailers, deflate").add("keep-alive", "timeout=5")
                .add("proxy-connection", "x").add("transfer-encoding", "chunked").add("upgrade", "h2c")
                .add("x-http2-stream-id", "3").add("x-other", "y");
        Http2HeadersView.stripConnectionSpecific(h);
        List<String> fields = new ArrayList<>();
        h.forEach(e -> fields.add(e.getKey() + "=" + e.getValue()));
        assertThat(fields).containsExactly(":status=200", "content-type=application/grpc", "x-other=y", "te=trailers");

        Http2Headers gzip = new DefaultHttp2Headers().status("200");
        gzip.add("te", "gzip").add("content-type", "text/plain");
        Http2HeadersView.stripConnectionSpecific(gzip);
        assertThat(gzip.contains("te")).isFalse();
        assertThat(gzip.size()).isEqualTo(2);
    }

    @Test
    void containsWithAValueReadsTheBlockAndHostIsTheAuthority() {
        HttpHeaders v = Http2HeadersView.ofRequest(grpcRequest());
        assertThat(v.contains("TE", "TRAILERS", true)).isTrue();
        assertThat(v.contains("te", "TRAILERS", false)).isFalse();
        assertThat(v.contains(HttpHeaderNames.HOST, "GRPC.test:8080", true)).isTrue();
        assertThat(v.contains("host", "other:1", true)).isFalse();
        assertThat(v.contains(":path", "/pkg.Svc/Call", false)).isFalse();
        assertThat(v.contains("expect", "100-continue", true)).isFalse();
        v.add("Transfer-Encoding", "gzip, chunked");
        assertThat(v.containsValue("transfer-encoding", "CHUNKED", true)).isTrue();
        assertThat(v.containsValue("transfer-encoding", "deflate", true)).isFalse();
        assertThat(v.containsValue("Host", "grpc.test:8080", false)).isTrue();
        assertThat(v.containsValue(":method", "POST", false)).isFalse();
    }

    @Test
    void aCopyIsAnIndependentView() {
        Http2Headers h = grpcRequest();
        HttpHeaders v = Http2HeadersView.ofRequest(h);
        HttpHeaders c = v.copy();
        assertThat(c).isInstanceOf(Http2HeadersView.class);
        c.set("x-only-in-copy", "1");
        c.set("host", "copy.test");
        assertThat(v.contains("x-only-in-copy")).isFalse();
        assertThat(v.get("host")).isEqualTo("grpc.test:8080");
        assertThat(((Http2HeadersView) c).http2().path().toString()).isEqualTo("/pkg.Svc/Call");
    }

    @Test
    void commonMixedCaseNamesLowerToSharedConstants() {
        Object contentType = Http2FieldNames.lowerCase(io.netty.util.AsciiString.of("Content-Type"));
        assertThat(contentType).isSameAs(HttpHeaderNames.CONTENT_TYPE);
        Object server = Http2FieldNames.lowerCase("SERVER");
        assertThat(server).isSameAs(HttpHeaderNames.SERVER);
        io.netty.util.AsciiString lower = io.netty.util.AsciiString.of("x-custom");
        Object same = Http2FieldNames.lowerCase(lower);
        assertThat(same).isSameAs(lower);
        assertThat(Http2FieldNames.lowerCase("X-Custom-Thing").toString()).isEqualTo("x-custom-thing");
        assertThat(Http2FieldNames.lowerCase("Content-Typo").toString()).isEqualTo("content-typo");
    }
}
