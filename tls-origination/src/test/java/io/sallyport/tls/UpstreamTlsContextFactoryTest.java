package io.sallyport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSslContext;
import io.netty.handler.ssl.OpenSslEngine;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import io.sallyport.core.config.MeshExternalService.TlsVersion;
import io.sallyport.core.config.MeshExternalService.VerificationMode;
import io.sallyport.core.metrics.Stats;
import io.sallyport.testing.Await;
import io.sallyport.testing.OpensslServer;
import io.sallyport.testing.TestCertificates;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class UpstreamTlsContextFactoryTest {

    private static final SystemTrust NO_SYSTEM_CA = new SystemTrust(Map.of(), List.of());

    private static EventLoopGroup group;
    private static NettyTlsServer server;
    private static NettyTlsServer tls12Server;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = NettyTlsServer.start(group, TlsZoo.GOOD, List.of("TLSv1.3", "TLSv1.2"), null,
                b -> b.applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2", "http/1.1")));
        tls12Server = NettyTlsServer.start(group, TlsZoo.GOOD, List.of("TLSv1.2"), null);
    }

    @AfterAll
    static void stop() {
        server.close();
        tls12Server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static UpstreamTlsSpec.Builder secured() {
        return UpstreamTlsSpec.builder().caCertPem(TlsZoo.ROOT.certificatePem());
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void equalSpecsShareOneContext(SslProvider provider) {
        UpstreamTlsContextFactory factory = new UpstreamTlsContextFactory(provider, NO_SYSTEM_CA);
        UpstreamTlsContext a = factory.get(secured().build());
        assertThat(factory.get(secured().build())).isSameAs(a);
        assertThat(factory.get(secured().serverName("x.example.test").build())).isNotSameAs(a);
        assertThat(factory.get(secured().build().withAlpn(List.of("h2")))).isNotSameAs(a);
        assertThat(a.sslContext()).isInstanceOf(provider == SslProvider.JDK ? JdkSslContext.class
                : ReferenceCountedOpenSslContext.class);
        assertThat(a.sslContext().isClient()).isTrue();
        assertThat(factory.provider()).isEqualTo(provider);
    }

    @Test
    void boringSslContextsAndEnginesAreTheReferenceCountedOnesWithoutFinalizers() {
        UpstreamTlsContext ctx = new UpstreamTlsContextFactory(SslProvider.OPENSSL, NO_SYSTEM_CA).get(secured().build());
        assertThat(ctx.sslContext()).isNotInstanceOf(OpenSslContext.class);
        SslHandler h = ctx.newHandler(ByteBufAllocator.DEFAULT, "api.example.test", 443);
        try {
            assertThat(h.engine()).isInstanceOf(ReferenceCountedOpenSslEngine.class).isNotInstanceOf(OpenSslEngine.class);
        } finally {
            ReferenceCountUtil.release(h.engine());
        }
    }

    @Test
    void aBoringSslContextIsReleasedOnceItsOwnerIsUnreachable() throws Exception {
        ReferenceCounted sslContext = unreachableContextAfterOneHandler();
        // Each poll asks for a collection: the cleaner runs only once the owner has been collected.
        assertThat(Await.until(() -> {
            System.gc();
            return sslContext.refCnt() == 0;
        }, java.time.Duration.ofSeconds(20))).as("released by the owner's cleaner").isTrue();
    }

    /** Builds a factory and a context, makes and disposes of one handler, and keeps only the SslContext. */
    private static ReferenceCounted unreachableContextAfterOneHandler() {
        UpstreamTlsContext ctx = new UpstreamTlsContextFactory(SslProvider.OPENSSL, NO_SYSTEM_CA).get(secured().build());
        ReferenceCounted sslContext = (ReferenceCounted) ctx.sslContext();
        SslHandler h = ctx.newHandler(ByteBufAllocator.DEFAULT, "api.example.test", 443);
        assertThat(sslContext.refCnt()).as("the owner's reference and the engine's").isEqualTo(2);
        ReferenceCountUtil.release(h.engine());
        assertThat(sslContext.refCnt()).isEqualTo(1);
        return sslContext;
    }

    @Test
    void defaultProviderIsBoringSslWhenItLoads() {
        assertThat(UpstreamTlsContextFactory.defaultProvider()).isEqualTo(SslProvider.OPENSSL);
        assertThatThrownBy(() -> new UpstreamTlsContextFactory(SslProvider.OPENSSL_REFCNT, NO_SYSTEM_CA))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void disabledSpecsAndBadMaterialAreRefused() {
        UpstreamTlsContextFactory factory = new UpstreamTlsContextFactory(SslProvider.JDK, NO_SYSTEM_CA);
        assertThatThrownBy(() -> factory.get(UpstreamTlsSpec.DISABLED)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> factory.get(UpstreamTlsSpec.builder().caCertPem("nope").build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("caCert: not PEM");
        assertThatThrownBy(() -> UpstreamTlsSpec.builder().versions(TlsVersion.TLS13, TlsVersion.TLS12).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void enginesOfferExactlyTheConfiguredVersionsInEveryMode(SslProvider provider) {
        UpstreamTlsContextFactory factory = new UpstreamTlsContextFactory(provider, NO_SYSTEM_CA);
        for (VerificationMode mode : VerificationMode.values()) {
            assertThat(protocols(factory, secured().mode(mode).build())).containsExactlyInAnyOrder("TLSv1.2", "TLSv1.3");
            assertThat(protocols(factory, secured().mode(mode).versions(TlsVersion.TLS13, null).build()))
                    .containsExactly("TLSv1.3");
            assertThat(protocols(factory, secured().mode(mode).versions(null, TlsVersion.TLS12).build()))
                    .containsExactly("TLSv1.2");
        }
    }

    private static List<String> protocols(UpstreamTlsContextFactory factory, UpstreamTlsSpec spec) {
        SslHandler h = factory.get(spec).newHandler(ByteBufAllocator.DEFAULT, "api.example.test", 443);
        try {
            // Netty's OpenSSL engine always lists the "SSLv2Hello" pseudo-protocol; BoringSSL never sends one.
            return java.util.Arrays.stream(h.engine().getEnabledProtocols())
                    .filter(p -> !p.equals("SSLv2Hello")).toList();
        } finally {
            ReferenceCountUtil.release(h.engine());
        }
    }

    @Test
    void sniIsTheServerNameOrTheDnsEndpointNeverAnIp() {
        assertThat(UpstreamTlsContext.peerName(null, "[::1]")).isEqualTo("::1");
        assertThat(UpstreamTlsContext.peerName("api.example.test", "10.0.0.1")).isEqualTo("api.example.test");
        assertThat(UpstreamTlsContext.sniNames("10.0.0.1")).isEmpty();
        assertThat(UpstreamTlsContext.sniNames("::1")).isEmpty();
        assertThat(UpstreamTlsContext.sniNames("localhost")).hasSize(1);
        assertThat(UpstreamTlsContext.sniNames("api.example.test.")).singleElement()
                .extracting(n -> ((javax.net.ssl.SNIHostName) n).getAsciiName()).isEqualTo("api.example.test");
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void systemBundleFromTheEnvironmentIsTrusted(SslProvider provider) throws Exception {
        Path bundle = TestCertificates.write(dir.resolve("bundle-" + provider + ".pem"),
                TestCertificates.builder("Some Other CA").ca().build().certificatePem() + TlsZoo.ROOT.certificatePem());
        SystemTrust trust = new SystemTrust(Map.of(SystemTrust.ENV_OVERRIDE, bundle.toString()), List.of("/nonexistent"));
        UpstreamTlsContext ctx = new UpstreamTlsContextFactory(provider, trust).get(UpstreamTlsSpec.builder().build());
        assertThat(ctx.refusal()).isEmpty();
        assertThat(probe(ctx, server, TlsZoo.HOST).ok()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void withoutAnyCaSecuredRefusesAndSaysWhyButSkipCaConnects(SslProvider provider) throws Exception {
        UpstreamTlsContextFactory factory = new UpstreamTlsContextFactory(provider,
                new SystemTrust(Map.of(), List.of(dir.resolve("absent.pem").toString())));
        for (VerificationMode mode : List.of(VerificationMode.Secured, VerificationMode.SkipSAN)) {
            UpstreamTlsContext ctx = factory.get(UpstreamTlsSpec.builder().mode(mode).build());
            assertThat(ctx.refusal()).hasValueSatisfying(r -> assertThat(r)
                    .contains("no caCert configured", SystemTrust.ENV_OVERRIDE, "absent.pem"));
            TlsProbe.Outcome outcome = probe(ctx, server, TlsZoo.HOST);
            assertThat(outcome.reason()).isEqualTo(TlsFailureReason.UNKNOWN_CA);
            assertThat(UpstreamTlsStats.rootMessage(outcome.failure())).contains("no system CA bundle found");
        }
        assertThat(probe(factory.get(UpstreamTlsSpec.builder().mode(VerificationMode.SkipCA).build()), server,
                TlsZoo.HOST).ok()).isTrue();
    }

    @Test
    void systemTrustTakesTheFirstExistingPathAndReportsBadBundles() throws Exception {
        Path good = TlsZoo.ROOT.writeCertificate(dir, "first-existing.pem");
        SystemTrust.Bundle bundle = new SystemTrust(Map.of(),
                List.of(dir.resolve("nope.pem").toString(), good.toString(), "/etc/ssl/certs/ca-certificates.crt")).load();
        assertThat(bundle.usable()).isTrue();
        assertThat(bundle.path()).isEqualTo(good);
        assertThat(bundle.certificates()).containsExactly(TlsZoo.ROOT.certificate());

        Path junk = TestCertificates.write(dir.resolve("junk.pem"), "junk");
        SystemTrust.Bundle bad = new SystemTrust(Map.of(SystemTrust.ENV_OVERRIDE, junk.toString()), List.of(good.toString())).load();
        assertThat(bad.usable()).isFalse();
        assertThat(bad.problem()).contains(SystemTrust.ENV_OVERRIDE).contains("not PEM");
        assertThat(SystemTrust.DEFAULT_PATHS).first().isEqualTo("/etc/ssl/certs/ca-certificates.crt");
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void alpnIsOfferedWhenTheSpecListsProtocols(SslProvider provider) throws Exception {
        UpstreamTlsContextFactory factory = new UpstreamTlsContextFactory(provider, NO_SYSTEM_CA);
        server.clear();
        assertThat(probe(factory.get(secured().build().withAlpn(List.of("h2"))), server, TlsZoo.HOST).ok()).isTrue();
        assertThat(server.next().alpn()).isEqualTo("h2");
        assertThat(probe(factory.get(secured().build()), server, TlsZoo.HOST).ok()).isTrue();
        assertThat(server.next().alpn()).isNull();
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void sessionsAreResumedForTheSameEndpoint(SslProvider provider) throws Exception {
        UpstreamTlsContext ctx = new UpstreamTlsContextFactory(provider, NO_SYSTEM_CA).get(secured().build());
        tls12Server.clear();
        assertThat(probe(ctx, tls12Server, TlsZoo.HOST).ok()).isTrue();
        NettyTlsServer.Seen first = tls12Server.next();
        assertThat(probe(ctx, tls12Server, TlsZoo.HOST).ok()).isTrue();
        NettyTlsServer.Seen second = tls12Server.next();
        assertThat(second.sessionCreated()).as("resumed session keeps its creation time")
                .isEqualTo(first.sessionCreated());
    }

    @Test
    void boringSslResumesTls13SessionsWithRealOpenssl() throws Exception {
        UpstreamTlsContext ctx = new UpstreamTlsContextFactory(SslProvider.OPENSSL, NO_SYSTEM_CA).get(secured().build());
        // s_server keeps its session cache across the connections it accepts: two of them here.
        try (OpensslServer server = OpensslServer.start(dir, TlsZoo.GOOD, List.of("-naccept", "2"))) {
            TlsProbe.Outcome first = TlsProbe.run(group, ctx, new UpstreamTlsStats(new Stats(), "c"), TlsZoo.HOST,
                    server.port(), "gnip\n");
            TlsProbe.Outcome second = TlsProbe.run(group, ctx, new UpstreamTlsStats(new Stats(), "c"), TlsZoo.HOST,
                    server.port(), "gnip\n");
            assertThat(first.ok()).as("first: %s", first.failure()).isTrue();
            assertThat(second.ok()).as("second: %s", second.failure()).isTrue();
            assertThat(first.protocol()).isEqualTo("TLSv1.3");
            List<String> output = server.awaitOutput();
            // s_server prints its counters when it exits: the second connection resumed the first's session.
            assertThat(output).as("s_server log").anyMatch(l -> l.trim().equals("1 session cache hits"));
            assertThat(OpensslServer.extensionSeen(output, "psk")).as("PSK offered").isNotNull();
        }
    }

    @Test
    void boringSslSendsOneX25519KeyShareAndNoPostQuantumHybrid() throws Exception {
        UpstreamTlsContext ctx = new UpstreamTlsContextFactory(SslProvider.OPENSSL, NO_SYSTEM_CA).get(secured().build());
        try (OpensslServer server = OpensslServer.start(dir, TlsZoo.GOOD, List.of())) {
            TlsProbe.Outcome outcome = TlsProbe.run(group, ctx, new UpstreamTlsStats(new Stats(), "c"), TlsZoo.HOST,
                    server.port(), "gnip\n");
            assertThat(outcome.ok()).as("outcome: %s", outcome.failure()).isTrue();
            List<String> output = server.awaitOutput();
            // supported_groups: list length (2), then one 2-byte group id each
            byte[] groups = OpensslServer.extensionSeen(output, "supported_groups");
            assertThat(groups).as("supported_groups in %s", output).isNotNull();
            List<Integer> offered = new java.util.ArrayList<>();
            for (int i = 2; i + 1 < groups.length; i += 2) {
                offered.add(((groups[i] & 0xff) << 8) | (groups[i + 1] & 0xff));
            }
            assertThat(offered).as("x25519, secp256r1, secp384r1, secp521r1")
                    .containsExactly(0x001d, 0x0017, 0x0018, 0x0019);
            // key share: list length (2), group (2), key length (2), key: one X25519 share of 32 bytes
            byte[] keyShare = OpensslServer.extensionSeen(output, "key share");
            assertThat(keyShare).as("key share in %s", output).hasSize(2 + 2 + 2 + 32);
            assertThat(((keyShare[2] & 0xff) << 8) | (keyShare[3] & 0xff)).isEqualTo(0x001d);
        }
    }

    private static TlsProbe.Outcome probe(UpstreamTlsContext ctx, NettyTlsServer target, String host) throws Exception {
        return TlsProbe.run(group, ctx, new UpstreamTlsStats(new Stats(), "c"), host, target.port(), "ping\n");
    }
}
