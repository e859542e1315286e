package io.sallyport.bench.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.sallyport.bench.ProductionNetty;
import io.sallyport.core.http.FlatHttpHeadersFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One origin response relayed as the HTTP/1.1 data path relays it: a {@code GET} encoded upstream, nginx's response to it (9 header fields, 1 KiB body, one direct buffer)
 * decoded, then the decoded head and body encoded again for the client. {@code codec=sallyport} decodes
 * with the proxy's upstream codec ({@code Http1UpstreamCodec}, package-private: made once by reflection);
 * {@code codec=netty} with Netty's response decoder (and request encoder) making the same flat header maps, i.e. the decoding the
 * proxy did before it read the usual response head itself. Both run in an {@link EmbeddedChannel}, whose
 * cost is the same for both.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {ProductionNetty.LEAK_DETECTION, ProductionNetty.JFR})
public class ResponseRelayBenchmark {

    /**
     * nginx's head for a 1 KiB static file, as the load harness's origin sends it (also the head
     * {@link ResponseHeadConversionBenchmark} parses).
     */
    static final String HEAD = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 22 Nov 2026 17:48:51 GMT\r\n"
            + "Content-Type: application/octet-stream\r\nContent-Length: 1024\r\n"
            + "Last-Modified: Sun, 22 Nov 2026 01:56:29 GMT\r\nConnection: keep-alive\r\nETag: \"6b024bcd-400\"\r\n"
            + "Accept-Ranges: bytes\r\n\r\n";

    @Param({"sallyport", "netty"})
    public String codec;

    private EmbeddedChannel upstream;
    private EmbeddedChannel downstream;
    private ByteBuf response;

    @Setup
    public void setUp() throws ReflectiveOperationException {
        HttpDecoderConfig config = new HttpDecoderConfig().setMaxInitialLineLength(16 * 1024)
                .setMaxHeaderSize(60 * 1024).setMaxChunkSize(64 * 1024);
        ChannelHandler decoder;
        if ("sallyport".equals(codec)) {
            decoder = (ChannelHandler) CoreHttp.constructor("Http1UpstreamCodec", HttpDecoderConfig.class)
                    .newInstance(config);
        } else {
            decoder = new CombinedChannelDuplexHandler<>(new HttpResponseDecoder(config
                    .setHeadersFactory(FlatHttpHeadersFactory.HEADERS).setTrailersFactory(FlatHttpHeadersFactory.TRAILERS)),
                    new HttpRequestEncoder());
        }
        upstream = new EmbeddedChannel(decoder);
        upstream.config().setAllocator(PooledByteBufAllocator.DEFAULT);
        downstream = new EmbeddedChannel(new HttpResponseEncoder());
        downstream.config().setAllocator(PooledByteBufAllocator.DEFAULT);
        byte[] head = HEAD.getBytes(StandardCharsets.US_ASCII);
        response = PooledByteBufAllocator.DEFAULT.directBuffer(head.length + 1024);
        response.writeBytes(head).writeZero(1024);
    }

    @TearDown
    public void tearDown() {
        upstream.finishAndReleaseAll();
        downstream.finishAndReleaseAll();
        response.release();
    }

    /** Bytes written to the client (the same for both codecs). */
    @Benchmark
    public int relay() {
        upstream.writeOutbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/1k.bin"),
                LastHttpContent.EMPTY_LAST_CONTENT);
        drain(upstream);
        upstream.writeInbound(response.retainedDuplicate());
        HttpObject o;
        while ((o = upstream.readInbound()) != null) {
            downstream.writeOutbound(o);
        }
        return drain(downstream);
    }

    private static int drain(EmbeddedChannel ch) {
        int bytes = 0;
        Object o;
        while ((o = ch.readOutbound()) != null) {
            bytes += ((ByteBuf) o).readableBytes();
            ReferenceCountUtil.release(o);
        }
        return bytes;
    }
}
