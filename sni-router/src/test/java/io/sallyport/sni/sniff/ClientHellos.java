package io.sallyport.sni.sniff;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/** Captures real ClientHellos from TLS stacks and command-line clients for the sniffer tests. */
final class ClientHellos {

    private ClientHellos() {
    }

    /** The first flight of the JDK's client SSLEngine with the given SNI (null for none) and ALPN. */
    static byte[] jdk(String serverName, String... alpn) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLEngine engine = context.createSSLEngine(serverName == null ? null : serverName, 443);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
        parameters.setApplicationProtocols(alpn);
        engine.setSSLParameters(parameters);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }

    /** The first flight of Netty's OpenSSL (BoringSSL) client engine. */
    static byte[] openSslEngine(String serverName, String... alpn) throws Exception {
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL_REFCNT);
        if (alpn.length > 0) {
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        }
        return wrapFirstFlight(builder.build(), serverName);
    }

    /** A gRPC-style hello: OpenSSL engine, HTTP/2 cipher suites, ALPN {@code h2} only (as grpc-netty). */
    static byte[] grpcStyle(String serverName) throws Exception {
        SslContext context = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL_REFCNT)
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2"))
                .build();
        return wrapFirstFlight(context, serverName);
    }

    private static byte[] wrapFirstFlight(SslContext context, String serverName) throws Exception {
        SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT, serverName, 443);
        try {
            engine.setUseClientMode(true);
            ByteBuffer out = ByteBuffer.allocateDirect(engine.getSession().getPacketBufferSize());
            engine.wrap(ByteBuffer.allocateDirect(0), out);
            out.flip();
            byte[] bytes = new byte[out.remaining()];
            out.get(bytes);
            return bytes;
        } finally {
            if (engine instanceof ReferenceCountedOpenSslEngine) {
                ReferenceCountUtil.release(engine);
            }
            ReferenceCountUtil.release(context);
        }
    }

    /**
     * Runs a client process against a loopback server socket and returns the bytes of its first
     * handshake message (all records that carry it), read by TLS record framing.
     *
     * @param command the command line for a given port
     */
    static byte[] fromProcess(IntFunction<List<String>> command) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(10_000);
            Process process = new ProcessBuilder(command.apply(server.getLocalPort()))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try (Socket socket = server.accept()) {
                socket.setSoTimeout(10_000);
                return readFirstHandshakeMessage(new DataInputStream(socket.getInputStream()));
            } finally {
                process.getOutputStream().close();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static byte[] readFirstHandshakeMessage(DataInputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        ByteArrayOutputStream handshake = new ByteArrayOutputStream();
        while (true) {
            byte[] header = new byte[5];
            in.readFully(header);
            int length = (header[3] & 0xFF) << 8 | (header[4] & 0xFF);
            byte[] payload = new byte[length];
            in.readFully(payload);
            raw.write(header);
            raw.write(payload);
            handshake.write(payload);
            byte[] h = handshake.toByteArray();
            if (h.length >= 4 && h.length >= 4 + ((h[1] & 0xFF) << 16 | (h[2] & 0xFF) << 8 | (h[3] & 0xFF))) {
                return raw.toByteArray();
            }
        }
    }

    /**
     * Re-frames a single-message hello into handshake records whose payloads have the given sizes in
     * turn (the last size repeats), keeping the record header's version.
     */
    static byte[] refragment(byte[] hello, int... sizes) {
        List<byte[]> records = new ArrayList<>();
        byte[] handshake = handshakeBytes(hello);
        int at = 0;
        int i = 0;
        while (at < handshake.length) {
            int size = Math.min(sizes[Math.min(i++, sizes.length - 1)], handshake.length - at);
            byte[] record = new byte[5 + size];
            record[0] = 22;
            record[1] = hello[1];
            record[2] = hello[2];
            record[3] = (byte) (size >> 8);
            record[4] = (byte) size;
            System.arraycopy(handshake, at, record, 5, size);
            records.add(record);
            at += size;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        records.forEach(out::writeBytes);
        return out.toByteArray();
    }

    /** The handshake-layer bytes of a hello (record headers stripped), up to the first message's end. */
    static byte[] handshakeBytes(byte[] hello) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at + 5 <= hello.length) {
            int length = (hello[at + 3] & 0xFF) << 8 | (hello[at + 4] & 0xFF);
            out.write(hello, at + 5, Math.min(length, hello.length - at - 5));
            at += 5 + length;
        }
        byte[] h = out.toByteArray();
        int messageLength = 4 + ((h[1] & 0xFF) << 16 | (h[2] & 0xFF) << 8 | (h[3] & 0xFF));
        return Arrays.copyOf(h, messageLength);
    }

    static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }
}
