package io.sallyport.bench.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.sallyport.bench.ProductionNetty;
import io.sallyport.core.http.FlatHttpHeadersFactory;
import io.sallyport.core.http.UpstreamEndpoint;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request header work of {@code ProxyExchange}: {@code HopByHopHeaders.strip} over a decoded
 * HTTP/1.1 request's headers, then Kuma's {@code autoHostRewrite} ({@code Host} set to the endpoint's
 * authority). {@code HopByHopHeaders} is package-private, so it is called through a method handle made
 * once at class initialisation (a constant the JIT inlines like a direct call).
 *
 * <p>Each invocation first puts back what the previous one stripped (as the HTTP decoder would have
 * produced it), so the measured work is re-adding 1 or 5 headers plus the strip and the rewrite.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {ProductionNetty.LEAK_DETECTION, ProductionNetty.JFR})
public class HeaderRewriteBenchmark {

    private static final MethodHandle STRIP;

    static {
        try {
            STRIP = CoreHttp.method("HopByHopHeaders", "strip", HttpHeaders.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private HttpHeaders plain;
    private HttpHeaders hopByHop;
    private String authority;

    @Setup
    public void setUp() {
        plain = FlatHttpHeadersFactory.HEADERS.newHeaders(); // what the HTTP/1.1 decoder makes
        plain.add(HttpHeaderNames.HOST, "api.example.com");
        plain.add(HttpHeaderNames.USER_AGENT, "wrk/4.2.0");
        plain.add(HttpHeaderNames.ACCEPT, "*/*");
        plain.add(HttpHeaderNames.ACCEPT_ENCODING, "gzip, deflate");
        plain.add("x-request-id", "4b1c0c4e-6f6b-4c38-9a57-8d4c5b0c2a11");
        plain.add(HttpHeaderNames.AUTHORIZATION, "Bearer abcdefghijklmnopqrstuvwxyz0123456789");
        hopByHop = FlatHttpHeadersFactory.HEADERS.newHeaders();
        hopByHop.add(plain);
        authority = new UpstreamEndpoint(InetSocketAddress.createUnresolved("127.0.0.1", 8443),
                "origin.example.com", 8443, null).authority();
    }

    /** A keep-alive request: only {@code Connection: keep-alive} to strip. */
    @Benchmark
    public HttpHeaders keepAliveRequest() throws Throwable {
        HttpHeaders h = plain;
        h.set(HttpHeaderNames.CONNECTION, "keep-alive");
        STRIP.invokeExact(h);
        h.set(HttpHeaderNames.HOST, authority);
        return h;
    }

    /**
     * A request with every kind of hop-by-hop header: a {@code Connection} list naming an extra header,
     * {@code Keep-Alive}, {@code Proxy-Connection} and a {@code TE} list keeping {@code trailers}.
     */
    @Benchmark
    public HttpHeaders hopByHopRequest() throws Throwable {
        HttpHeaders h = hopByHop;
        h.set(HttpHeaderNames.CONNECTION, "keep-alive, x-hop");
        h.set("x-hop", "1");
        h.set("keep-alive", "timeout=5");
        h.set("proxy-connection", "keep-alive");
        h.set(HttpHeaderNames.TE, "trailers, deflate;q=0.5");
        STRIP.invokeExact(h);
        h.set(HttpHeaderNames.HOST, authority);
        return h;
    }
}
