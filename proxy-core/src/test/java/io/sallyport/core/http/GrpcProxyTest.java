package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A grpc-java client and server (no code generation: byte-array messages) through the proxy. */
class GrpcProxyTest {

    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<byte[], byte[]> UNARY = method("Unary", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> FAIL = method("Fail", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> SLOW = method("Slow", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> CLIENT_STREAM = method("Sum", MethodDescriptor.MethodType.CLIENT_STREAMING);
    static final MethodDescriptor<byte[], byte[]> SERVER_STREAM = method("Count", MethodDescriptor.MethodType.SERVER_STREAMING);
    static final MethodDescriptor<byte[], byte[]> BIDI = method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING);
    static final Metadata.Key<String> DETAIL = Metadata.Key.of("x-detail", Metadata.ASCII_STRING_MARSHALLER);

    private static Server server;
    private static ProxyHarness proxy;
    private static ManagedChannel channel;
    private static final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName("test.Echo", name))
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    }

    @BeforeAll
    static void start() throws Exception {
        ServerServiceDefinition service = ServerServiceDefinition.builder("test.Echo")
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((req, obs) -> {
                    obs.onNext(req);
                    obs.onCompleted();
                }))
                .addMethod(FAIL, ServerCalls.asyncUnaryCall((req, obs) -> {
                    Metadata md = new Metadata();
                    md.put(DETAIL, "detail-value");
                    obs.onError(Status.INVALID_ARGUMENT.withDescription("bad thing").asRuntimeException(md));
                }))
                .addMethod(SLOW, ServerCalls.asyncUnaryCall((req, obs) -> timer.schedule(() -> {
                    obs.onNext(req);
                    obs.onCompleted();
                }, 3, TimeUnit.SECONDS)))
                .addMethod(CLIENT_STREAM, ServerCalls.asyncClientStreamingCall(obs -> new StreamObserver<byte[]>() {
                    long total;

                    @Override
                    public void onNext(byte[] v) {
                        total += v.length;
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        obs.onNext(ByteBuffer.allocate(8).putLong(total).array());
                        obs.onCompleted();
                    }
                }))
                .addMethod(SERVER_STREAM, ServerCalls.asyncServerStreamingCall((req, obs) -> {
                    int n = req[0];
                    for (int i = 0; i < n; i++) {
                        obs.onNext(new byte[] {(byte) i});
                    }
                    obs.onCompleted();
                }))
                .addMethod(BIDI, ServerCalls.asyncBidiStreamingCall(obs -> new StreamObserver<byte[]>() {
                    @Override
                    public void onNext(byte[] v) {
                        obs.onNext(v);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        obs.onCompleted();
                    }
                }))
                .build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .maxInboundMessageSize(16 << 20).addService(service).build().start();
        proxy = new ProxyHarness("mes-grpc", UpstreamHttpProtocol.HTTP2, HttpTimeouts.KUMA_DEFAULTS,
                List.of(UpstreamEndpoint.plain(new InetSocketAddress("127.0.0.1", server.getPort()))));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", proxy.port()).usePlaintext()
                .maxInboundMessageSize(16 << 20).build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        proxy.close();
        timer.shutdownNow();
    }

    private static CallOptions deadline() {
        return CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    @Test
    void unaryWithTenMebibyteMessages() {
        byte[] big = new byte[10 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 7);
        }
        byte[] back = ClientCalls.blockingUnaryCall(channel, UNARY, deadline(), big);
        assertThat(Arrays.equals(back, big)).isTrue();
    }

    @Test
    void upstreamErrorStatusAndMetadataPassUnchanged() {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, FAIL, deadline(), new byte[] {1}))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo("bad thing");
                    assertThat(e.getTrailers().get(DETAIL)).isEqualTo("detail-value");
                });
    }

    @Test
    void clientStreaming() throws Exception {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        StreamObserver<byte[]> requests = ClientCalls.asyncClientStreamingCall(
                channel.newCall(CLIENT_STREAM, deadline()), observer(result, new ArrayList<>()));
        for (int i = 0; i < 100; i++) {
            requests.onNext(new byte[1000]);
        }
        requests.onCompleted();
        assertThat(ByteBuffer.wrap(result.get(20, TimeUnit.SECONDS)).getLong()).isEqualTo(100_000L);
    }

    @Test
    void serverStreaming() {
        Iterator<byte[]> it = ClientCalls.blockingServerStreamingCall(channel, SERVER_STREAM, deadline(), new byte[] {50});
        int n = 0;
        while (it.hasNext()) {
            assertThat(it.next()[0]).isEqualTo((byte) n);
            n++;
        }
        assertThat(n).isEqualTo(50);
    }

    @Test
    void bidiStreaming() throws Exception {
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        List<byte[]> got = new ArrayList<>();
        StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(
                channel.newCall(BIDI, deadline()), observer(done, got));
        for (int i = 0; i < 20; i++) {
            requests.onNext(new byte[] {(byte) i});
        }
        requests.onCompleted();
        done.get(20, TimeUnit.SECONDS);
        synchronized (got) {
            assertThat(got).hasSize(20);
        }
    }

    @Test
    void clientDeadlineIsDeadlineExceeded() {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, SLOW,
                CallOptions.DEFAULT.withDeadlineAfter(300, TimeUnit.MILLISECONDS), new byte[] {1}))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    }

    @Test
    void grpcTimeoutHeaderIsHonouredWithATrailersOnlyStatus4() throws Exception {
        // curl sends grpc-timeout itself and waits longer, so the answer must come from the proxy.
        byte[] frame = {0, 0, 0, 0, 1, 7};
        java.nio.file.Path body = java.nio.file.Files.createTempFile("grpc", ".bin");
        java.nio.file.Files.write(body, frame);
        long t0 = System.nanoTime();
        Http2ProxyTest.Result r = Http2ProxyTest.run("curl", "-sS", "-i", "--max-time", "10",
                "--http2-prior-knowledge", "-H", "content-type: application/grpc", "-H", "te: trailers",
                "-H", "grpc-timeout: 400m", "--data-binary", "@" + body, proxy.url("/test.Echo/Slow"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        java.nio.file.Files.delete(body);
        assertThat(r.out()).startsWith("HTTP/2 200").contains("grpc-status: 4").contains("grpc-message: ");
        assertThat(ms).isBetween(350L, 2500L);
        assertThat(proxy.awaitEntry(e -> e.path().equals("/test.Echo/Slow") && e.responseFlags().contains("UT")))
                .isNotNull();
    }

    @Test
    void upstreamDownIsUnavailable() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        try (ProxyHarness p = new ProxyHarness("mes-grpc-down", UpstreamHttpProtocol.HTTP2, HttpTimeouts.KUMA_DEFAULTS,
                List.of(UpstreamEndpoint.plain(new InetSocketAddress("127.0.0.1", deadPort))))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", p.port()).usePlaintext().build();
            try {
                assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(ch, UNARY, deadline(), new byte[] {1}))
                        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                            assertThat(e.getStatus().getDescription()).contains("upstream connect error");
                        });
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static StreamObserver<byte[]> observer(CompletableFuture<byte[]> done, List<byte[]> all) {
        return new StreamObserver<>() {
            byte[] last;

            @Override
            public void onNext(byte[] v) {
                last = v;
                synchronized (all) {
                    all.add(v);
                }
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(last);
            }
        };
    }
}
