package io.sallyport.e2e;

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
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documentation's {@code grpc} and {@code grpcs} examples from {@code config-examples/} (their ports
 * moved to free ones) with a grpc-java client (plaintext h2c to the outbound) and a grpc-java server
 * stand-in: plaintext, and TLS with the example certificate (ALPN h2). Unary and server-streaming calls, an
 * upstream error status with metadata passed unchanged, and status 14 UNAVAILABLE while the stand-in is down.
 */
class GrpcEgressIT {

    private static final Duration READY = Duration.ofSeconds(60);

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
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

    private static final MethodDescriptor<byte[], byte[]> UNARY = method("Unary", MethodDescriptor.MethodType.UNARY);
    private static final MethodDescriptor<byte[], byte[]> FAIL = method("Fail", MethodDescriptor.MethodType.UNARY);
    private static final MethodDescriptor<byte[], byte[]> COUNT =
            method("Count", MethodDescriptor.MethodType.SERVER_STREAMING);
    private static final Metadata.Key<String> DETAIL = Metadata.Key.of("x-detail", Metadata.ASCII_STRING_MARSHALLER);

    @TempDir
    Path dir;

    private static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName("test.Echo", name))
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    }

    private static ServerServiceDefinition service() {
        return ServerServiceDefinition.builder("test.Echo")
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((req, obs) -> {
                    obs.onNext(("echo " + new String(req, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
                    obs.onCompleted();
                }))
                .addMethod(FAIL, ServerCalls.asyncUnaryCall((req, obs) -> {
                    Metadata trailers = new Metadata();
                    trailers.put(DETAIL, "from the origin");
                    obs.onError(Status.NOT_FOUND.withDescription("no such thing").asRuntimeException(trailers));
                }))
                .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((req, obs) -> {
                    for (int i = 0; i < 5; i++) {
                        obs.onNext(new byte[] {(byte) i});
                    }
                    obs.onCompleted();
                }))
                .build();
    }

    private static Path cert(String name) {
        return SallyportProcess.root().resolve("config-examples/certs").resolve(name);
    }

    private static void exerciseThrough(ManagedChannel ch) {
        CallOptions deadline = CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
        byte[] reply = ClientCalls.blockingUnaryCall(ch, UNARY, deadline, "hi".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("echo hi");

        List<byte[]> counted = new ArrayList<>();
        ClientCalls.blockingServerStreamingCall(ch, COUNT, deadline, new byte[0]).forEachRemaining(counted::add);
        assertThat(counted).hasSize(5);

        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(ch, FAIL, deadline, new byte[0]))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo("no such thing");
                    assertThat(e.getTrailers().get(DETAIL)).isEqualTo("from the origin");
                });
    }

    @Test
    void grpcExampleRelaysCallsAndAnswersUnavailableWhileTheServerIsDown() throws Exception {
        int admin = FreePorts.tcp();
        int outbound = FreePorts.tcp();
        int serverPort = FreePorts.tcp();
        Path example = ExampleConfigs.copy("grpc", dir, Map.of(9907, admin, 9000, outbound, 19000, serverPort));
        try (SallyportProcess p = SallyportProcess.start(dir, "run", "--config", example.toString(),
                "--dns-enabled=false")) {
            p.awaitReady(admin, READY);
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", outbound).usePlaintext().build();
            try {
                assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(ch, UNARY,
                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[0]))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));

                Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", serverPort))
                        .addService(service()).build().start();
                try {
                    exerciseThrough(ch);
                } finally {
                    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            HttpEgressIT.awaitLine(p, "\"POST /test.Echo/Unary HTTP/2\" 200 UF");
            HttpEgressIT.awaitLine(p, "\"POST /test.Echo/Count HTTP/2\" 200 - ");
            assertThat(p.stop(Duration.ofSeconds(20))).isZero();
            p.assertNoLeaks();
        }
    }

    @Test
    void grpcsExampleOriginatesTlsWithAlpnH2() throws Exception {
        int admin = FreePorts.tcp();
        int outbound = FreePorts.tcp();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
                        TlsServerCredentials.create(cert("server.crt").toFile(), cert("server.key").toFile()))
                .addService(service()).build().start();
        Path example = ExampleConfigs.copy("grpcs", dir, Map.of(9908, admin, 9001, outbound, 19001, server.getPort()));
        try (SallyportProcess p = SallyportProcess.start(dir, "run", "--config", example.toString(),
                "--dns-enabled=false")) {
            p.awaitReady(admin, READY);
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", outbound).usePlaintext().build();
            try {
                exerciseThrough(ch);
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            new AdminClient(admin).awaitBody("/stats/prometheus", b -> b.contains(
                    "envoy_cluster_ssl_handshake{envoy_cluster_name=\"mes-grpcs\"} 1"), READY);
            assertThat(p.stop(Duration.ofSeconds(20))).isZero();
            p.assertNoLeaks();
        } finally {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
