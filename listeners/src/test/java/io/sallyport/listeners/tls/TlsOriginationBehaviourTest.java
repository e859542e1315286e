package io.sallyport.listeners.tls;

import static io.sallyport.testing.TestResources.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslProvider;
import io.sallyport.core.cluster.Cluster;
import io.sallyport.core.config.DataSource;
import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.config.MeshExternalService.TlsVersion;
import io.sallyport.core.config.MeshExternalService.VerificationMode;
import io.sallyport.core.transport.Transport;
import io.sallyport.testing.Await;
import io.sallyport.testing.FreeAddresses;
import io.sallyport.testing.StreamClient;
import io.sallyport.testing.TlsEchoServer;
import io.sallyport.tls.SystemTrust;
import io.sallyport.tls.UpstreamTlsStats;
import java.time.Duration;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Failover and relaying over originated TLS: a refused certificate is final while connect and
 * version failures move on to the next endpoint; without any CA, {@code Secured} refuses; bytes flow
 * in bulk with backpressure, a server may speak first, and half-closes cross the TLS hop both ways
 * (the client's end of input becomes close_notify, the server's close_notify becomes end of input).
 */
class TlsOriginationBehaviourTest {

    private static final SystemTrust NO_SYSTEM_CA = new SystemTrust(Map.of(), List.of());
    private static final AtomicInteger CLUSTERS = new AtomicInteger();
    private static EventLoopGroup group;
    private static TlsEchoServer good;
    private static TlsEchoServer expired;
    private static TlsEchoServer tls12Only;
    private static TlsEchoServer tls13Only;
    private static ListenerTlsHarness jdk;
    private static ListenerTlsHarness openssl;

    @BeforeAll
    static void start() throws Exception {
        group = Transport.platform().newEventLoopGroup(2, "tls-behaviour");
        TlsEchoServer.Options o = TlsEchoServer.Options.defaults();
        good = TlsEchoServer.start(TlsZoo.GOOD, o);
        expired = TlsEchoServer.start(TlsZoo.EXPIRED, o);
        tls12Only = TlsEchoServer.start(TlsZoo.GOOD, o.protocols("TLSv1.2"));
        tls13Only = TlsEchoServer.start(TlsZoo.GOOD, o.protocols("TLSv1.3"));
        jdk = new ListenerTlsHarness(group, SslProvider.JDK, NO_SYSTEM_CA);
        openssl = new ListenerTlsHarness(group, SslProvider.OPENSSL, NO_SYSTEM_CA);
    }

    @AfterAll
    static void stop() {
        jdk.close();
        openssl.close();
        List.of(good, expired, tls12Only, tls13Only).forEach(TlsEchoServer::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static ListenerTlsHarness harness(SslProvider provider) {
        return provider == SslProvider.JDK ? jdk : openssl;
    }

    private static MeshExternalService.Tls secured(TlsVersion min, TlsVersion max) {
        return new MeshExternalService.Tls(true, new MeshExternalService.Version(min, max), false,
                new MeshExternalService.Verification(VerificationMode.Secured, null, List.of(),
                        new DataSource.InlineString(TlsZoo.ROOT.certificatePem()), null, null));
    }

    private static String cluster() {
        return "mes-b" + CLUSTERS.incrementAndGet();
    }

    private static String echo(ListenerTlsHarness h, String text) throws Exception {
        return new String(ListenerTlsHarness.exchange(h.listener(), text.getBytes(StandardCharsets.UTF_8),
                text.length()), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void refusedCertificateIsNotRetriedOnTheNextEndpoint(SslProvider provider) throws Exception {
        ListenerTlsHarness h = harness(provider);
        String name = cluster();
        int expiredBefore = expired.accepted();
        int goodBefore = good.accepted();
        h.apply(ListenerTlsHarness.mes(name, secured(null, null),
                endpoint("127.0.0.1", expired.port(), 0), endpoint("127.0.0.1", good.port(), 1)));

        assertThat(echo(h, "ping\n")).isEmpty();

        assertThat(h.accessLine(name)).contains("\"response_flags\":\"UF\"",
                "\"upstream_transport_failure_reason\":\"expired\"");
        assertThat(expired.accepted() - expiredBefore).isEqualTo(1);
        assertThat(good.accepted() - goodBefore).as("the next endpoint is not tried").isZero();
        assertThat(h.counter("envoy_cluster_upstream_cx_total", name)).isEqualTo(1);
        assertThat(h.counter(UpstreamTlsStats.FAIL_VERIFY_ERROR, name)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void connectFailureMovesOnToTheNextEndpoint(SslProvider provider) throws Exception {
        ListenerTlsHarness h = harness(provider);
        String name = cluster();
        h.apply(ListenerTlsHarness.mes(name, secured(null, null),
                endpoint("127.0.0.1", FreeAddresses.refusingPort(), 0), endpoint("127.0.0.1", good.port(), 1)));

        assertThat(echo(h, "ping\n")).isEqualTo("ping\n");

        assertThat(h.accessLine(name)).contains("\"response_flags\":\"-\"");
        assertThat(h.counter("envoy_cluster_upstream_cx_connect_fail", name)).isEqualTo(1);
        assertThat(h.counter(UpstreamTlsStats.HANDSHAKE, name)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void versionFailureMovesOnToTheNextEndpoint(SslProvider provider) throws Exception {
        ListenerTlsHarness h = harness(provider);
        String name = cluster();
        h.apply(ListenerTlsHarness.mes(name, secured(TlsVersion.TLS13, TlsVersion.TLS13),
                endpoint("127.0.0.1", tls12Only.port(), 0), endpoint("127.0.0.1", tls13Only.port(), 1)));

        assertThat(echo(h, "ping\n")).isEqualTo("ping\n");

        assertThat(h.counter(UpstreamTlsStats.CONNECTION_ERROR, name)).isEqualTo(1);
        assertThat(h.counter(UpstreamTlsStats.HANDSHAKE, name)).isEqualTo(1);
        assertThat(h.counter("envoy_cluster_upstream_cx_connect_fail", name)).isEqualTo(1);
    }

    @Test
    void securedWithoutAnyCaRefusesEveryConnection() throws Exception {
        ListenerTlsHarness h = openssl;
        String name = cluster();
        MeshExternalService.Tls noCa = new MeshExternalService.Tls(true, null, false,
                new MeshExternalService.Verification(VerificationMode.Secured, null, List.of(), null, null, null));
        h.apply(ListenerTlsHarness.mes(name, noCa, endpoint("127.0.0.1", good.port())));
        Cluster cluster = h.manager.clusters().get(name);
        assertThat(((TlsOriginationInitializer) cluster.initializer()).context().refusal())
                .hasValueSatisfying(r -> assertThat(r).contains("no caCert configured"));

        for (int i = 0; i < 2; i++) {
            assertThat(echo(h, "ping\n")).isEmpty();
            assertThat(h.accessLine(name)).contains("\"response_flags\":\"UF\"",
                    "\"upstream_transport_failure_reason\":\"unknown_ca\"");
        }
        assertThat(h.counter(UpstreamTlsStats.FAIL_VERIFY_ERROR, name)).isEqualTo(2);
    }

    @Test
    void plainClustersGetNoInitializer() throws Exception {
        String name = cluster();
        jdk.apply(ListenerTlsHarness.mes(name, null, endpoint("127.0.0.1", good.port())));
        assertThat(jdk.manager.clusters().get(name).initializer()).isNull();
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void relaysBulkDataBothWays(SslProvider provider) throws Exception {
        ListenerTlsHarness h = harness(provider);
        String name = cluster();
        h.apply(ListenerTlsHarness.mes(name, secured(null, null), endpoint(TlsZoo.HOST, good.port())));
        long size = 4L << 20;
        try (Socket s = StreamClient.connect(h.listener(), 20_000)) {
            CompletableFuture<Void> written = StreamClient.writeAsync(s, size, 7, new AtomicLong());
            long[] got = StreamClient.readAll(s.getInputStream());
            written.get(20, TimeUnit.SECONDS);
            assertThat(got[0]).isEqualTo(size);
            assertThat(got[1]).isEqualTo(StreamClient.checksumOf(size, 7));
        }
        assertThat(h.accessLine(name)).contains("\"bytes_received\":" + size, "\"bytes_sent\":" + size);
    }

    @Test
    void aClientThatDoesNotReadStopsTheWriterThroughTheTlsHop() throws Exception {
        ListenerTlsHarness h = openssl;
        h.apply(ListenerTlsHarness.mes(cluster(), secured(null, null), endpoint(TlsZoo.HOST, good.port())));
        long size = 256L << 20;
        AtomicLong written = new AtomicLong();
        try (Socket s = StreamClient.connect(h.listener(), 20_000)) {
            s.setReceiveBufferSize(64 * 1024);
            CompletableFuture<Void> writing = StreamClient.writeAsync(s, size, 11, written);
            // Nobody reads: the echo backs up to the writer. Wait until it has made no progress for a while.
            assertThat(Await.stalled(written::get, Duration.ofMillis(600), Duration.ofSeconds(20)))
                    .as("writer stalled").isTrue();
            assertThat(writing).isNotDone();
            // What the socket buffers of both hops hold, not the 256 MiB.
            assertThat(written.get()).as("bytes accepted while nobody reads").isLessThan(48L << 20);
            // Reading again drains everything, intact.
            byte[] buf = new byte[64 * 1024];
            InputStream in = s.getInputStream();
            long total = 0;
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            int n;
            while (total < (24L << 20) && (n = in.read(buf)) > 0) {
                crc.update(buf, 0, n);
                total += n;
            }
            assertThat(total).isGreaterThanOrEqualTo(24L << 20);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void serverSpeaksFirstThenItsCloseNotifyEndsTheDownstreamStream(SslProvider provider) throws Exception {
        ListenerTlsHarness h = harness(provider);
        try (TlsEchoServer greeter = TlsEchoServer.start(TlsZoo.GOOD,
                TlsEchoServer.Options.defaults().greeting("hello\n", true))) {
            String name = cluster();
            h.apply(ListenerTlsHarness.mes(name, secured(null, null), endpoint(TlsZoo.HOST, greeter.port())));
            try (Socket s = StreamClient.connect(h.listener(), 10_000)) {
                // The server keeps its TCP connection open after close_notify: only that ends our stream.
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello\n");
                if (provider == SslProvider.JDK) {
                    // Our direction is still open (TLS 1.3 allows it): the server gets what we send now.
                    // Netty's OpenSSL engine answers a close_notify with its own, ending both directions
                    // (docs/tls.md says so).
                    s.getOutputStream().write("late\n".getBytes(StandardCharsets.UTF_8));
                    s.getOutputStream().flush();
                    assertThat(greeter.nextReceived()).isEqualTo("late\n");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void clientEndOfInputBecomesCloseNotify(SslProvider provider) throws Exception {
        ListenerTlsHarness h = harness(provider);
        String name = cluster();
        h.apply(ListenerTlsHarness.mes(name, secured(null, null), endpoint(TlsZoo.HOST, good.port())));
        try (Socket s = StreamClient.connect(h.listener(), 10_000)) {
            s.getOutputStream().write("abc\n".getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            // The server answers, then ends on our close_notify; the proxy passes both on.
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("abc\n");
        }
        assertThat(h.accessLine(name)).contains("\"bytes_received\":4", "\"bytes_sent\":4");
    }
}
