package io.sallyport.sni.sniff;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class HttpSnifferTest {

    private final HttpSniffer sniffer = new HttpSniffer();

    @Test
    void http1HostWithPortStripped() {
        assertThat(sniff("GET /index.html HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\n\r\n"))
                .isEqualTo(HttpSniffResult.http1("example.com"));
    }

    @Test
    void aRequestAllocatesOnlyItsHostAndTheResult() throws Exception {
        // 15 chars of host (String and its bytes, 56 B) and the result (24 B): no copies on the way.
        ByteBuf request = ThreadAllocation.untrackedDirect(("GET /api/v1/items HTTP/1.1\r\nUser-Agent: bench\r\n"
                + "Accept: */*\r\nHost: api.example.com:8080\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        double perCall = ThreadAllocation.bytesPerCall(20_000, () -> {
            if (sniffer.sniff(request, false).status() != HttpSniffResult.Status.HTTP1) {
                throw new AssertionError("unexpected verdict");
            }
        });
        assertThat(perCall).as("bytes allocated per sniffed request").isLessThanOrEqualTo(88);
    }

    @Test
    void http1HostHeaderNameIsCaseInsensitiveAndValueTrimmed() {
        assertThat(sniff("POST /x HTTP/1.1\r\nUser-Agent: t\r\nhOsT: \t Api.Example.COM  \r\n\r\n"))
                .isEqualTo(HttpSniffResult.http1("Api.Example.COM"));
        assertThat(sniff("GET / HTTP/1.1\r\nHOST:x.test\r\n\r\n")).isEqualTo(HttpSniffResult.http1("x.test"));
    }

    @Test
    void http1Ipv6HostLoosesBracketsAndPort() {
        assertThat(sniff("GET / HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n\r\n")).isEqualTo(HttpSniffResult.http1("2001:db8::1"));
        assertThat(sniff("GET / HTTP/1.1\r\nHost: [::1]\r\n\r\n")).isEqualTo(HttpSniffResult.http1("::1"));
    }

    @Test
    void http1WithoutHost() {
        assertThat(sniff("GET / HTTP/1.0\r\nAccept: */*\r\n\r\n")).isEqualTo(HttpSniffResult.http1(null));
        assertThat(sniff("GET / HTTP/1.0\n\n")).isEqualTo(HttpSniffResult.http1(null));
        assertThat(sniff("GET / HTTP/1.1\r\nHost:   \r\n\r\n")).isEqualTo(HttpSniffResult.http1(null));
        assertThat(sniff("GET / HTTP/1.1\r\nHostile: x\r\n\r\n")).isEqualTo(HttpSniffResult.http1(null));
    }

    @Test
    void http1ByteByByteNeedsMoreUntilTheHostLineEnds() {
        String request = "PUT /upload?x=1 HTTP/1.1\r\nContent-Length: 3\r\nHost: slow.example.org\r\n";
        byte[] bytes = request.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < bytes.length; i++) {
            assertThat(sniffer.sniff(Unpooled.wrappedBuffer(bytes, 0, i), false)).as("%d bytes", i)
                    .isEqualTo(HttpSniffResult.NEED_MORE);
        }
        assertThat(sniffer.sniff(Unpooled.wrappedBuffer(bytes), false)).isEqualTo(HttpSniffResult.http1("slow.example.org"));
    }

    @Test
    void endOfInputDecidesWithWhatIsThere() {
        assertThat(sniffer.sniff(buf("GET / HTTP/1.1\r\nAccept: x\r\n"), false)).isEqualTo(HttpSniffResult.NEED_MORE);
        assertThat(sniffer.sniff(buf("GET / HTTP/1.1\r\nAccept: x\r\n"), true)).isEqualTo(HttpSniffResult.http1(null));
        assertThat(sniffer.sniff(buf("GET / HTT"), true)).isEqualTo(HttpSniffResult.NOT_HTTP);
        assertThat(sniffer.sniff(buf("PRI * HTTP/2"), false)).isEqualTo(HttpSniffResult.NEED_MORE);
        assertThat(sniffer.sniff(buf("PRI * HTTP/2"), true)).isEqualTo(HttpSniffResult.NOT_HTTP);
        assertThat(sniffer.sniff(buf(""), true)).isEqualTo(HttpSniffResult.NOT_HTTP);
        assertThat(sniffer.sniff(buf(""), false)).isEqualTo(HttpSniffResult.NEED_MORE);
    }

    @Test
    void theBoundActsAsEndOfInput() {
        HttpSniffer small = new HttpSniffer(128);
        String longHeaders = "GET / HTTP/1.1\r\nX-Long: " + "a".repeat(200) + "\r\nHost: late.example\r\n\r\n";
        assertThat(small.sniff(buf(longHeaders), false)).isEqualTo(HttpSniffResult.http1(null));
        assertThat(small.sniff(buf("GET /" + "p".repeat(300) + " HTTP/1.1\r\n"), false)).isEqualTo(HttpSniffResult.NOT_HTTP);
        assertThat(sniffer.sniff(buf(longHeaders), false)).isEqualTo(HttpSniffResult.http1("late.example"));
    }

    @Test
    void otherProtocolsAreNotHttp() throws Exception {
        assertThat(sniff("SSH-2.0-OpenSSH_9.2\r\n")).isEqualTo(HttpSniffResult.NOT_HTTP);
        assertThat(sniff("get / HTTP/1.1\r\n")).isEqualTo(HttpSniffResult.NOT_HTTP);
        assertThat(sniff("GET / HTTP/2.0\r\n")).isEqualTo(HttpSniffResult.NOT_HTTP);
        assertThat(sniff("GET /\r\n")).isEqualTo(HttpSniffResult.NOT_HTTP);
        assertThat(sniff("GET  / HTTP/1.1\r\n")).isEqualTo(HttpSniffResult.NOT_HTTP);
        assertThat(sniff("GET / HTTP/1.1\rX")).isEqualTo(HttpSniffResult.NOT_HTTP);
        assertThat(sniff("VERYLONGMETHODNAMEXXXXXXXX / HTTP/1.1\r\n")).isEqualTo(HttpSniffResult.NOT_HTTP);
        assertThat(sniff("*1\r\n$4\r\nPING\r\n")).isEqualTo(HttpSniffResult.NOT_HTTP); // redis
        assertThat(sniffer.sniff(Unpooled.wrappedBuffer(ClientHellos.jdk("a.test")), false)).isEqualTo(HttpSniffResult.NOT_HTTP);
    }

    @Test
    void randomGarbageNeverThrows() {
        Random random = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            byte[] garbage = new byte[random.nextInt(300)];
            random.nextBytes(garbage);
            if (garbage.length > 30 && random.nextBoolean()) {
                System.arraycopy(HttpSniffer.PREFACE, 0, garbage, 0, 24);
            } else if (garbage.length > 20 && random.nextBoolean()) {
                byte[] line = "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(line, 0, garbage, 0, line.length);
            }
            assertThat(sniffer.sniff(Unpooled.wrappedBuffer(garbage), random.nextBoolean())).isNotNull();
        }
    }

    @Test
    void curlHttp1Request() throws Exception {
        byte[] request = capture(port -> List.of("curl", "-s", "--max-time", "10",
                "--resolve", "plain.example.com:" + port + ":127.0.0.1", "http://plain.example.com:" + port + "/path"));
        assertThat(sniffer.sniff(Unpooled.wrappedBuffer(request), false)).isEqualTo(HttpSniffResult.http1("plain.example.com"));
    }

    @Test
    void curlHttp2PriorKnowledge() throws Exception {
        byte[] bytes = capture(port -> List.of("curl", "-s", "--max-time", "10", "--http2-prior-knowledge",
                "--resolve", "h2c.example.com:" + port + ":127.0.0.1", "http://h2c.example.com:" + port + "/"));
        assertThat(sniffer.sniff(Unpooled.wrappedBuffer(bytes), false)).isEqualTo(HttpSniffResult.http2("h2c.example.com"));
        for (int i = 0; i < bytes.length; i++) {
            HttpSniffResult partial = sniffer.sniff(Unpooled.wrappedBuffer(bytes, 0, i), false);
            assertThat(partial).as("%d of %d bytes", i, bytes.length).isEqualTo(HttpSniffResult.NEED_MORE);
        }
    }

    @Test
    void nghttpPriorKnowledge() throws Exception {
        byte[] bytes = capture(port -> List.of("timeout", "10", "nghttp", "-n", "-t", "10",
                "-H", ":authority: nghttp.example.com:" + port, "http://127.0.0.1:" + port + "/"));
        assertThat(sniffer.sniff(Unpooled.wrappedBuffer(bytes), false)).isEqualTo(HttpSniffResult.http2("nghttp.example.com"));
    }

    @Test
    void http2HeadersSplitOverContinuationsWithPaddingAndPriority() throws Exception {
        Http2Headers headers = new DefaultHttp2Headers().method("GET").scheme("http").path("/")
                .authority("cont.example.com:80").add("x-filler", "f".repeat(300));
        byte[] block = encode(headers);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(HttpSniffer.PREFACE);
        frame(out, 4, 0, 0, new byte[0]); // SETTINGS
        frame(out, 8, 0, 0, new byte[] {0, 1, 0, 0}); // WINDOW_UPDATE
        int first = 50;
        byte[] headersPayload = new byte[1 + 5 + first + 3];
        headersPayload[0] = 3; // pad length
        System.arraycopy(block, 0, headersPayload, 6, first);
        frame(out, 1, 0x8 | 0x20, 1, headersPayload); // PADDED | PRIORITY, no END_HEADERS
        frame(out, 9, 0, 1, Arrays.copyOfRange(block, first, 150));
        frame(out, 9, 0x4, 1, Arrays.copyOfRange(block, 150, block.length));
        byte[] bytes = out.toByteArray();
        assertThat(sniffer.sniff(Unpooled.wrappedBuffer(bytes), false)).isEqualTo(HttpSniffResult.http2("cont.example.com"));
        assertThat(sniffer.sniff(Unpooled.wrappedBuffer(bytes, 0, bytes.length - 1), false)).isEqualTo(HttpSniffResult.NEED_MORE);
        assertThat(sniffer.sniff(Unpooled.wrappedBuffer(bytes, 0, bytes.length - 1), true)).isEqualTo(HttpSniffResult.http2(null));
    }

    @Test
    void http2HostHeaderWhenNoAuthorityAndGarbageBlocks() throws Exception {
        byte[] block = encode(new DefaultHttp2Headers().method("GET").scheme("http").path("/").add("host", "h.example:81"));
        assertThat(sniffer.sniff(Unpooled.wrappedBuffer(h2(block)), false)).isEqualTo(HttpSniffResult.http2("h.example"));
        byte[] garbage = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F};
        assertThat(sniffer.sniff(Unpooled.wrappedBuffer(h2(garbage)), false)).isEqualTo(HttpSniffResult.http2(null));
        assertThat(sniffer.sniff(Unpooled.wrappedBuffer(HttpSniffer.PREFACE), false)).isEqualTo(HttpSniffResult.NEED_MORE);
        assertThat(sniffer.sniff(Unpooled.wrappedBuffer(HttpSniffer.PREFACE), true)).isEqualTo(HttpSniffResult.http2(null));
    }

    @Test
    void indexesAreUntouched() {
        ByteBuf b = Unpooled.buffer().writeBytes("xxGET / HTTP/1.1\r\nHost: i.test\r\n".getBytes(StandardCharsets.US_ASCII));
        b.readerIndex(2);
        assertThat(sniffer.sniff(b, false)).isEqualTo(HttpSniffResult.http1("i.test"));
        assertThat(b.readerIndex()).isEqualTo(2);
        b.release();
    }

    private static byte[] h2(byte[] block) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(HttpSniffer.PREFACE);
        frame(out, 4, 0, 0, new byte[0]);
        frame(out, 1, 0x4 | 0x1, 1, block);
        return out.toByteArray();
    }

    private static byte[] encode(Http2Headers headers) throws Exception {
        ByteBuf buf = Unpooled.buffer();
        try {
            new DefaultHttp2HeadersEncoder().encodeHeaders(1, headers, buf);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    private static void frame(ByteArrayOutputStream out, int type, int flags, int stream, byte[] payload) {
        out.write(payload.length >> 16);
        out.write(payload.length >> 8);
        out.write(payload.length);
        out.write(type);
        out.write(flags);
        out.write(stream >> 24);
        out.write(stream >> 16);
        out.write(stream >> 8);
        out.write(stream);
        out.writeBytes(payload);
    }

    /** Runs a client against a loopback socket and returns its first bytes once the sniffer can decide. */
    private byte[] capture(IntFunction<List<String>> command) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(10_000);
            Process process = new ProcessBuilder(command.apply(server.getLocalPort()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try (Socket socket = server.accept()) {
                socket.setSoTimeout(5_000);
                InputStream in = socket.getInputStream();
                ByteArrayOutputStream received = new ByteArrayOutputStream();
                byte[] chunk = new byte[4096];
                try {
                    while (true) {
                        int n = in.read(chunk);
                        if (n < 0) {
                            break;
                        }
                        received.write(chunk, 0, n);
                        if (sniffer.sniff(Unpooled.wrappedBuffer(received.toByteArray()), false).status()
                                != HttpSniffResult.Status.NEED_MORE) {
                            break;
                        }
                    }
                } catch (SocketTimeoutException e) {
                    // the client stopped sending: decide on what arrived
                }
                return received.toByteArray();
            } finally {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    private HttpSniffResult sniff(String text) {
        return sniffer.sniff(buf(text), false);
    }

    private static ByteBuf buf(String text) {
        return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }
}
