package io.sallyport.sni.sniff;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClientHelloSnifferTest {

    private final ClientHelloSniffer sniffer = new ClientHelloSniffer();

    @Test
    void jdkEngineHelloWithSniAndAlpn() throws Exception {
        byte[] hello = ClientHellos.jdk("api.example.com", "h2", "http/1.1");
        assertThat(sniff(hello)).isEqualTo(ClientHelloResult.tls("api.example.com", List.of("h2", "http/1.1")));
    }

    @Test
    void jdkEngineHelloWithoutSniOrAlpn() throws Exception {
        byte[] hello = ClientHellos.jdk(null);
        assertThat(sniff(hello)).isEqualTo(ClientHelloResult.tls(null, List.of()));
    }

    @Test
    void openSslEngineHello() throws Exception {
        byte[] hello = ClientHellos.openSslEngine("Mixed.Case.Example.ORG", "http/1.1");
        ClientHelloResult result = sniff(hello);
        assertThat(result.status()).isEqualTo(ClientHelloResult.Status.TLS);
        assertThat(result.serverName()).isEqualToIgnoringCase("mixed.case.example.org");
        assertThat(result.alpn()).containsExactly("http/1.1");
    }

    @Test
    void grpcStyleHelloOffersOnlyH2() throws Exception {
        assertThat(sniff(ClientHellos.grpcStyle("grpc.example.com")))
                .isEqualTo(ClientHelloResult.tls("grpc.example.com", List.of("h2")));
    }

    @Test
    void opensslSClientHello() throws Exception {
        byte[] hello = ClientHellos.fromProcess(port -> List.of("timeout", "10", "openssl", "s_client",
                "-connect", "127.0.0.1:" + port, "-servername", "sclient.example.net", "-alpn", "h2,http/1.1"));
        assertThat(sniff(hello)).isEqualTo(ClientHelloResult.tls("sclient.example.net", List.of("h2", "http/1.1")));
    }

    @Test
    void curlHello() throws Exception {
        byte[] hello = ClientHellos.fromProcess(port -> List.of("curl", "-sk", "--max-time", "10",
                "--resolve", "curl.example.com:" + port + ":127.0.0.1", "https://curl.example.com:" + port + "/"));
        ClientHelloResult result = sniff(hello);
        assertThat(result.serverName()).isEqualTo("curl.example.com");
        assertThat(result.alpn()).contains("http/1.1");
        assertFragmentsNeedMore(hello, result);
    }

    @Test
    void everyPrefixOfARealHelloNeedsMoreByteByByte() throws Exception {
        byte[] hello = ClientHellos.jdk("frag.example.com", "h2");
        assertFragmentsNeedMore(hello, ClientHelloResult.tls("frag.example.com", List.of("h2")));
    }

    @Test
    void helloSplitOverManyRecords() throws Exception {
        byte[] hello = ClientHellos.openSslEngine("records.example.com", "h2", "http/1.1");
        ClientHelloResult expected = ClientHelloResult.tls("records.example.com", List.of("h2", "http/1.1"));
        for (int size : new int[] {1, 2, 3, 7, 40, 100, 255}) {
            byte[] refragmented = ClientHellos.refragment(hello, size);
            assertThat(sniff(refragmented)).as("records of %d bytes", size).isEqualTo(expected);
        }
        byte[] oneByteRecords = ClientHellos.refragment(hello, 1);
        assertFragmentsNeedMore(oneByteRecords, expected);
    }

    @Test
    void largeHelloAcrossFullSizeRecordsWithinTheBound() throws Exception {
        // A 40 KiB padding extension: three records of 16 KiB, as a post-quantum-sized hello could be.
        byte[] handshake = withExtension(ClientHellos.jdk("big.example.com", "h2"), 21, new byte[40_000]);
        byte[] hello = ClientHellos.refragment(framedOnce(handshake), 16_384);
        assertThat(sniff(hello)).isEqualTo(ClientHelloResult.tls("big.example.com", List.of("h2")));
        assertThat(new ClientHelloSniffer(16_000).sniff(Unpooled.wrappedBuffer(hello)))
                .isEqualTo(ClientHelloResult.NOT_TLS);
    }

    @Test
    void helloOverTheBoundIsNotTlsAsSoonAsItsLengthIsKnown() throws Exception {
        byte[] handshake = withExtension(ClientHellos.jdk("huge.example.com"), 21, new byte[70_000]);
        byte[] hello = ClientHellos.refragment(framedOnce(handshake), 16_384);
        assertThat(sniff(Arrays.copyOf(hello, 8))).isEqualTo(ClientHelloResult.NEED_MORE);
        assertThat(sniff(Arrays.copyOf(hello, 9))).isEqualTo(ClientHelloResult.NOT_TLS);
        assertThat(sniff(hello)).isEqualTo(ClientHelloResult.NOT_TLS);
        // A message that fits the bound by its own length but not with its record headers.
        byte[] near = withExtension(ClientHellos.jdk("near.example.com"), 21, new byte[65_000]);
        byte[] nearHello = ClientHellos.refragment(framedOnce(near), 1_000);
        assertThat(near.length - 4).isLessThanOrEqualTo(ClientHelloSniffer.DEFAULT_MAX_BYTES);
        assertThat(sniff(nearHello)).isEqualTo(ClientHelloResult.NOT_TLS);
    }

    @Test
    void oversizedRecordIsNotTls() throws Exception {
        byte[] hello = ClientHellos.jdk("x.example.com").clone();
        hello[3] = 0x40;
        hello[4] = 0x01; // 16385
        assertThat(sniff(hello)).isEqualTo(ClientHelloResult.NOT_TLS);
    }

    @Test
    void otherProtocolsAreNotTlsFromTheFirstByte() {
        assertThat(sniff("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo(ClientHelloResult.NOT_TLS);
        assertThat(sniff("G".getBytes(StandardCharsets.US_ASCII))).isEqualTo(ClientHelloResult.NOT_TLS);
        assertThat(sniff(new byte[] {0x16, 0x02})).isEqualTo(ClientHelloResult.NOT_TLS);
        assertThat(sniff(new byte[] {0x16, 0x03, 0x09})).isEqualTo(ClientHelloResult.NOT_TLS);
        assertThat(sniff(new byte[] {(byte) 0x80, 0x2e, 0x01, 0x03, 0x01})).isEqualTo(ClientHelloResult.NOT_TLS); // SSLv2
        assertThat(sniff(new byte[] {0x17, 0x03, 0x03, 0x00, 0x10})).isEqualTo(ClientHelloResult.NOT_TLS); // app data
        assertThat(sniff(new byte[] {0x16, 0x03, 0x01, 0x00, 0x05, 0x02, 0, 0, 1, 0})).isEqualTo(ClientHelloResult.NOT_TLS);
        assertThat(sniff(new byte[0])).isEqualTo(ClientHelloResult.NEED_MORE);
        assertThat(sniff(new byte[] {0x16, 0x03, 0x01, 0x02})).isEqualTo(ClientHelloResult.NEED_MORE);
    }

    @Test
    void truncatedHandshakeHeadersAreNeedMoreAndBadLengthsNotTls() throws Exception {
        byte[] hello = ClientHellos.jdk("t.example.com");
        assertThat(sniff(Arrays.copyOf(hello, 9))).isEqualTo(ClientHelloResult.NEED_MORE);
        byte[] shortMessage = hello.clone();
        shortMessage[6] = 0;
        shortMessage[7] = 0;
        shortMessage[8] = 10; // a ClientHello claiming 10 bytes
        assertThat(sniff(shortMessage)).isEqualTo(ClientHelloResult.NOT_TLS);
    }

    @Test
    void corruptingAnyByteOfARealHelloNeverThrows() throws Exception {
        byte[] hello = ClientHellos.openSslEngine("fuzz.example.com", "h2", "http/1.1");
        Random random = new Random(42);
        for (int i = 0; i < hello.length; i++) {
            for (int round = 0; round < 4; round++) {
                byte[] corrupt = hello.clone();
                corrupt[i] = (byte) random.nextInt(256);
                ClientHelloResult result = sniff(corrupt);
                assertThat(result).isNotNull();
                if (result.serverName() != null) {
                    assertThat(result.serverName()).hasSize("fuzz.example.com".length());
                }
            }
        }
    }

    @Test
    void randomGarbageStartingLikeTlsNeverThrows() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] garbage = new byte[1 + random.nextInt(600)];
            random.nextBytes(garbage);
            garbage[0] = 0x16;
            if (garbage.length > 2) {
                garbage[1] = 3;
                garbage[2] = (byte) random.nextInt(5);
            }
            if (garbage.length > 5) {
                garbage[5] = 1;
            }
            assertThat(sniff(garbage).status()).isIn(ClientHelloResult.Status.values());
        }
    }

    @Test
    void readerIndexAndWriterIndexAreUntouchedAndANonZeroReaderIndexIsHonoured() throws Exception {
        byte[] hello = ClientHellos.jdk("idx.example.com", "h2");
        ByteBuf buf = Unpooled.buffer();
        buf.writeBytes(new byte[] {1, 2, 3});
        buf.writeBytes(hello);
        buf.readerIndex(3);
        assertThat(sniffer.sniff(buf).serverName()).isEqualTo("idx.example.com");
        assertThat(buf.readerIndex()).isEqualTo(3);
        assertThat(buf.writerIndex()).isEqualTo(3 + hello.length);
        buf.release();
    }

    @Test
    void needMoreAndNotTlsAllocateNothing() throws Exception {
        byte[] hello = ClientHellos.jdk("alloc.example.com", "h2");
        ByteBuf partial = Unpooled.wrappedBuffer(Arrays.copyOf(hello, hello.length - 1));
        ByteBuf notTls = Unpooled.wrappedBuffer("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        double perCall = ThreadAllocation.bytesPerCall(20_000, () -> {
            if (sniffer.sniff(partial) != ClientHelloResult.NEED_MORE || sniffer.sniff(notTls) != ClientHelloResult.NOT_TLS) {
                throw new AssertionError("unexpected verdict");
            }
        });
        assertThat(perCall).as("bytes allocated per two sniffs").isLessThan(0.1);
    }

    @Test
    void aCompleteHelloAllocatesOnlyTheServerNameTheListAndTheResult() throws Exception {
        // 17 chars of SNI (String and its bytes, 64 B), the list of two constant ALPN names (24 B), the
        // result (24 B): no copies on the way.
        byte[] bytes = ClientHellos.jdk("alloc.example.com", "h2", "http/1.1");
        ByteBuf hello = ThreadAllocation.untrackedDirect(bytes);
        double perCall = ThreadAllocation.bytesPerCall(20_000, () -> {
            if (sniffer.sniff(hello).alpn().size() != 2) {
                throw new AssertionError("unexpected verdict");
            }
        });
        assertThat(perCall).as("bytes allocated per complete sniff").isLessThanOrEqualTo(120);
    }

    @Test
    void alpnNamesKeepTheirOrderWhetherKnownOrNotAndWhateverTheRecords() throws Exception {
        byte[] hello = ClientHellos.jdk("alpn.example.com", "x-custom", "h2", "spdy/3.1", "http/1.1", "acme-tls/1");
        ClientHelloResult expected = ClientHelloResult.tls("alpn.example.com",
                List.of("x-custom", "h2", "spdy/3.1", "http/1.1", "acme-tls/1"));
        assertThat(sniff(hello)).isEqualTo(expected);
        for (int size : new int[] {1, 3, 50}) {
            assertThat(sniff(ClientHellos.refragment(hello, size))).as("records of %d bytes", size).isEqualTo(expected);
        }
        assertThat(sniff(ClientHellos.jdk("one.example.com", "x-only")))
                .isEqualTo(ClientHelloResult.tls("one.example.com", List.of("x-only")));
    }

    @Test
    void capturedHellosAreWrittenForTheBenchmarks(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // Keeps the capture helpers honest about returning one complete first flight.
        byte[] hello = ClientHellos.jdk("bench.example.com", "h2");
        Files.write(dir.resolve("hello.bin"), hello);
        assertThat(ClientHellos.handshakeBytes(hello)[0]).isEqualTo((byte) 1);
        assertThat(sniff(Files.readAllBytes(dir.resolve("hello.bin"))).serverName()).isEqualTo("bench.example.com");
    }

    private void assertFragmentsNeedMore(byte[] hello, ClientHelloResult expected) {
        for (int i = 0; i < hello.length; i++) {
            assertThat(sniff(Arrays.copyOf(hello, i))).as("first %d of %d bytes", i, hello.length)
                    .isEqualTo(ClientHelloResult.NEED_MORE);
        }
        assertThat(sniff(hello)).isEqualTo(expected);
    }

    private ClientHelloResult sniff(byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        ClientHelloResult result = sniffer.sniff(buf);
        assertThat(buf.readerIndex()).isZero();
        return result;
    }

    /** Appends an extension to a hello's single handshake message and returns the new message bytes. */
    static byte[] withExtension(byte[] hello, int type, byte[] data) {
        byte[] h = ClientHellos.handshakeBytes(hello);
        int at = 4 + 2 + 32;
        at += 1 + (h[at] & 0xFF);
        at += 2 + ((h[at] & 0xFF) << 8 | (h[at + 1] & 0xFF));
        at += 1 + (h[at] & 0xFF);
        int extensionsLength = (h[at] & 0xFF) << 8 | (h[at + 1] & 0xFF);
        int newExtensionsLength = extensionsLength + 4 + data.length;
        if (newExtensionsLength > 0xFFFF) {
            // Past the 16-bit extensions length: claim the maximum; the hello is then malformed-long,
            // which is what the over-the-bound test needs.
            newExtensionsLength = 0xFFFF;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(h, 0, at);
        out.write(newExtensionsLength >> 8);
        out.write(newExtensionsLength);
        out.write(h, at + 2, h.length - at - 2);
        out.write(type >> 8);
        out.write(type);
        out.write(data.length >> 8);
        out.write(data.length);
        out.writeBytes(data);
        byte[] message = out.toByteArray();
        int bodyLength = message.length - 4;
        message[1] = (byte) (bodyLength >> 16);
        message[2] = (byte) (bodyLength >> 8);
        message[3] = (byte) bodyLength;
        return message;
    }

    /** Wraps handshake bytes as if in one record (header only used by refragment for its version). */
    static byte[] framedOnce(byte[] handshake) {
        byte[] framed = new byte[5 + handshake.length];
        framed[0] = 22;
        framed[1] = 3;
        framed[2] = 1;
        framed[3] = (byte) (handshake.length >> 8);
        framed[4] = (byte) handshake.length;
        System.arraycopy(handshake, 0, framed, 5, handshake.length);
        return framed;
    }
}
