package io.sallyport.bench.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.sallyport.bench.ProductionNetty;
import io.sallyport.core.http.FlatHttpHeadersFactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the proxy does with an HTTP/1.1 origin's response head between reading it and encoding it: nginx's
 * head (8 fields) parsed by the upstream codec's parser ({@code parse}), then its hop-by-hop fields removed
 * ({@code parseAndStrip}, every response), then turned into the HTTP/2 block an h2c or h2 client gets
 * ({@code parseStripAndConvertToHttp2}). The classes are package-private: reached once by reflection, called
 * through constant method handles.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {ProductionNetty.LEAK_DETECTION, ProductionNetty.JFR})
public class ResponseHeadConversionBenchmark {

    private static final MethodHandle PARSE;
    private static final MethodHandle STRIP;
    private static final MethodHandle CONVERT;
    private static final Constructor<?> PARSER;

    static {
        try {
            PARSER = CoreHttp.constructor("Http1ResponseHeadParser", FlatHttpHeadersFactory.class, int.class);
            PARSE = CoreHttp.method("Http1ResponseHeadParser", "parse", ByteBuf.class)
                    .asType(MethodType.methodType(HttpResponse.class, Object.class, ByteBuf.class));
            STRIP = CoreHttp.method("HopByHopHeaders", "stripAndCheckKeepAlive", HttpMessage.class);
            CONVERT = CoreHttp.method("Http2ConvertedHeaders", "of", CharSequence.class, HttpHeaders.class)
                    .asType(MethodType.methodType(Object.class, CharSequence.class, HttpHeaders.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Object parser;
    private ByteBuf head;

    @Setup
    public void setUp() throws ReflectiveOperationException {
        parser = PARSER.newInstance(FlatHttpHeadersFactory.HEADERS, 60 * 1024);
        byte[] bytes = ResponseRelayBenchmark.HEAD.getBytes(StandardCharsets.US_ASCII);
        head = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    }

    @TearDown
    public void tearDown() {
        head.release();
    }

    private HttpResponse parsed() throws Throwable {
        head.readerIndex(0);
        return (HttpResponse) PARSE.invokeExact(parser, head);
    }

    @Benchmark
    public HttpResponse parse() throws Throwable {
        return parsed();
    }

    @Benchmark
    public boolean parseAndStrip() throws Throwable {
        return (boolean) STRIP.invokeExact((HttpMessage) parsed());
    }

    @Benchmark
    public Object parseStripAndConvertToHttp2() throws Throwable {
        HttpResponse r = parsed();
        boolean keepAlive = (boolean) STRIP.invokeExact((HttpMessage) r);
        return keepAlive ? CONVERT.invokeExact((CharSequence) r.status().codeAsText(), r.headers()) : null;
    }
}
