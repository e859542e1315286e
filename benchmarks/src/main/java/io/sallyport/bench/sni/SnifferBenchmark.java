package io.sallyport.bench.sni;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sallyport.bench.ProductionNetty;
import io.sallyport.sni.sniff.ClientHelloResult;
import io.sallyport.sni.sniff.ClientHelloSniffer;
import io.sallyport.sni.sniff.HttpSniffResult;
import io.sallyport.sni.sniff.HttpSniffer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
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
 * The sniffers over a real ClientHello from the JDK's client engine (SNI + ALPN h2, http/1.1, TLS 1.3
 * key shares): complete in one record, complete in 100-byte records, one byte short (the NEED_MORE
 * path), and an HTTP/1 request's Host.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {ProductionNetty.LEAK_DETECTION, ProductionNetty.JFR})
public class SnifferBenchmark {

    private final ClientHelloSniffer clientHelloSniffer = new ClientHelloSniffer();
    private final HttpSniffer httpSniffer = new HttpSniffer();
    private ByteBuf hello;
    private ByteBuf helloInRecords;
    private ByteBuf helloShort;
    private ByteBuf httpRequest;

    @Setup
    public void setUp() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLEngine engine = context.createSSLEngine("api.example.com", 443);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName("api.example.com")));
        parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        engine.setSSLParameters(parameters);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        hello = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        helloShort = Unpooled.directBuffer(bytes.length).writeBytes(bytes, 0, bytes.length - 1);
        helloInRecords = Unpooled.directBuffer().writeBytes(refragment(bytes, 100));
        httpRequest = Unpooled.directBuffer().writeBytes(("GET /api/v1/items HTTP/1.1\r\nUser-Agent: bench\r\n"
                + "Accept: */*\r\nHost: api.example.com:8080\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        if (clientHelloSniffer.sniff(helloInRecords).status() != ClientHelloResult.Status.TLS) {
            throw new IllegalStateException("refragmented hello does not parse");
        }
    }

    @TearDown
    public void tearDown() {
        hello.release();
        helloShort.release();
        helloInRecords.release();
        httpRequest.release();
    }

    @Benchmark
    public ClientHelloResult clientHello() {
        return clientHelloSniffer.sniff(hello);
    }

    @Benchmark
    public ClientHelloResult clientHelloInRecordsOf100Bytes() {
        return clientHelloSniffer.sniff(helloInRecords);
    }

    @Benchmark
    public ClientHelloResult clientHelloNeedMore() {
        return clientHelloSniffer.sniff(helloShort);
    }

    @Benchmark
    public HttpSniffResult http1Host() {
        return httpSniffer.sniff(httpRequest, false);
    }

    private static byte[] refragment(byte[] hello, int size) {
        int length = (hello[3] & 0xFF) << 8 | (hello[4] & 0xFF);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 5; at < 5 + length; at += size) {
            int n = Math.min(size, 5 + length - at);
            out.write(22);
            out.write(hello[1]);
            out.write(hello[2]);
            out.write(n >> 8);
            out.write(n);
            out.write(hello, at, n);
        }
        return out.toByteArray();
    }
}
