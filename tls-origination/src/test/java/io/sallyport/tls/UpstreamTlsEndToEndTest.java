package io.sallyport.tls;

import static io.sallyport.core.config.MeshExternalService.VerificationMode.Secured;
import static io.sallyport.core.config.MeshExternalService.VerificationMode.SkipAll;
import static io.sallyport.core.config.MeshExternalService.VerificationMode.SkipCA;
import static io.sallyport.core.config.MeshExternalService.VerificationMode.SkipSAN;
import static io.sallyport.tls.TlsFailureReason.BAD_CLIENT_CERT;
import static io.sallyport.tls.TlsFailureReason.EXPIRED;
import static io.sallyport.tls.TlsFailureReason.NOT_YET_VALID;
import static io.sallyport.tls.TlsFailureReason.SAN_MISMATCH;
import static io.sallyport.tls.TlsFailureReason.UNKNOWN_CA;
import static io.sallyport.tls.TlsFailureReason.VERSION;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.sallyport.core.config.MeshExternalService.SanMatch;
import io.sallyport.core.config.MeshExternalService.SanMatchType;
import io.sallyport.core.config.MeshExternalService.TlsVersion;
import io.sallyport.core.config.MeshExternalService.VerificationMode;
import io.sallyport.core.metrics.Stats;
import io.sallyport.testing.OpensslServer;
import io.sallyport.testing.TestCertificates.Issued;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every verification mode against every server of the zoo, with both engines: the connection is made
 * (handshake and one echoed line) or refused with exactly the reason DESIGN §4 implies; the SNI the
 * server saw and the client certificate it got are asserted too.
 */
class UpstreamTlsEndToEndTest {

    private static final List<VerificationMode> MODES = List.of(Secured, SkipSAN, SkipCA, SkipAll);
    private static final List<SslProvider> PROVIDERS = List.of(SslProvider.JDK, SslProvider.OPENSSL);
    private static final List<String> BOTH = List.of("TLSv1.3", "TLSv1.2");

    /** The servers of the zoo; Netty ones are started once for the class. */
    enum Server {
        GOOD(TlsZoo.GOOD), EXPIRED_CERT(TlsZoo.EXPIRED), NOT_YET_VALID_CERT(TlsZoo.NOT_YET_VALID),
        WRONG_HOST(TlsZoo.WRONG_HOST), SELF_SIGNED(TlsZoo.SELF_SIGNED), UNTRUSTED_ROOT(TlsZoo.UNTRUSTED),
        SPIFFE(TlsZoo.SPIFFE_ONLY), WILDCARD(TlsZoo.WILDCARD), MTLS(TlsZoo.GOOD),
        TLS12_ONLY(TlsZoo.GOOD), TLS13_ONLY(TlsZoo.GOOD),
        OPENSSL_GOOD(TlsZoo.GOOD), OPENSSL_WRONG_HOST(TlsZoo.WRONG_HOST), OPENSSL_TLS12_ONLY(TlsZoo.GOOD),
        OPENSSL_MTLS(TlsZoo.GOOD);

        final Issued leaf;

        Server(Issued leaf) {
            this.leaf = leaf;
        }

        boolean openssl() {
            return name().startsWith("OPENSSL_");
        }
    }

    /** Outcome per mode, in the order Secured, SkipSAN, SkipCA, SkipAll; null means connected. */
    private static Map<VerificationMode, TlsFailureReason> expect(TlsFailureReason secured, TlsFailureReason skipSan,
            TlsFailureReason skipCa, TlsFailureReason skipAll) {
        Map<VerificationMode, TlsFailureReason> m = new EnumMap<>(VerificationMode.class);
        m.put(Secured, secured);
        m.put(SkipSAN, skipSan);
        m.put(SkipCA, skipCa);
        m.put(SkipAll, skipAll);
        return m;
    }

    private static final TlsFailureReason OK = null;

    /** One row: a server, the endpoint host we dial it as, spec settings, and the outcome per mode. */
    record Row(String name, Server server, String endpointHost, UnaryOperator<UpstreamTlsSpec.Builder> settings,
            Map<VerificationMode, TlsFailureReason> expected, String expectedSni, Issued clientCert,
            String expectedProtocol) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Row row(String name, Server server, String host, UnaryOperator<UpstreamTlsSpec.Builder> settings,
            Map<VerificationMode, TlsFailureReason> expected, String sni) {
        return new Row(name, server, host, settings, expected, sni, null, null);
    }

    private static final String HOST = TlsZoo.HOST;

    static List<Row> rows() {
        UnaryOperator<UpstreamTlsSpec.Builder> none = b -> b;
        List<Row> rows = new ArrayList<>();
        rows.add(row("good chain, DNS endpoint", Server.GOOD, HOST, none, expect(OK, OK, OK, OK), HOST));
        rows.add(row("good chain, IP endpoint matches IP SAN, no SNI", Server.GOOD, "127.0.0.1", none,
                expect(OK, OK, OK, OK), null));
        rows.add(row("good chain, IP endpoint with serverName", Server.GOOD, "127.0.0.1",
                b -> b.serverName(HOST), expect(OK, OK, OK, OK), HOST));
        rows.add(row("good chain, endpoint name not in SANs", Server.GOOD, "db.example.test", none,
                expect(SAN_MISMATCH, OK, SAN_MISMATCH, OK), "db.example.test"));
        rows.add(row("good chain, serverName not in SANs", Server.GOOD, HOST, b -> b.serverName("db.example.test"),
                expect(SAN_MISMATCH, OK, SAN_MISMATCH, OK), "db.example.test"));
        rows.add(row("dotless endpoint name is still sent as SNI", Server.GOOD, "localhost", none,
                expect(SAN_MISMATCH, OK, SAN_MISMATCH, OK), "localhost"));
        rows.add(row("good chain, Exact matcher rescues other name", Server.GOOD, "db.example.test",
                b -> b.subjectAltName(new SanMatch(SanMatchType.Exact, HOST)), expect(OK, OK, OK, OK), "db.example.test"));
        rows.add(row("good chain, Prefix matcher rescues other name", Server.GOOD, "db.example.test",
                b -> b.subjectAltName(new SanMatch(SanMatchType.Prefix, "api.")), expect(OK, OK, OK, OK), "db.example.test"));
        rows.add(row("expired leaf", Server.EXPIRED_CERT, HOST, none, expect(EXPIRED, EXPIRED, OK, OK), HOST));
        rows.add(row("not-yet-valid leaf", Server.NOT_YET_VALID_CERT, HOST, none,
                expect(NOT_YET_VALID, NOT_YET_VALID, OK, OK), HOST));
        rows.add(row("wrong host", Server.WRONG_HOST, HOST, none, expect(SAN_MISMATCH, OK, SAN_MISMATCH, OK), HOST));
        rows.add(row("wrong host, IP endpoint without IP SAN", Server.WRONG_HOST, "127.0.0.1", none,
                expect(SAN_MISMATCH, OK, SAN_MISMATCH, OK), null));
        rows.add(row("self-signed", Server.SELF_SIGNED, HOST, none, expect(UNKNOWN_CA, UNKNOWN_CA, OK, OK), HOST));
        rows.add(row("signed by an untrusted root", Server.UNTRUSTED_ROOT, HOST, none,
                expect(UNKNOWN_CA, UNKNOWN_CA, OK, OK), HOST));
        rows.add(row("SPIFFE only, no matcher", Server.SPIFFE, HOST, none, expect(SAN_MISMATCH, OK, SAN_MISMATCH, OK), HOST));
        rows.add(row("SPIFFE only, Exact URI matcher", Server.SPIFFE, HOST,
                b -> b.subjectAltName(new SanMatch(SanMatchType.Exact, TlsZoo.SPIFFE)), expect(OK, OK, OK, OK), HOST));
        rows.add(row("SPIFFE only, Prefix URI matcher", Server.SPIFFE, HOST,
                b -> b.subjectAltName(new SanMatch(SanMatchType.Prefix, "spiffe://example.local/ns/local/")),
                expect(OK, OK, OK, OK), HOST));
        rows.add(row("SPIFFE only, Prefix of another trust domain", Server.SPIFFE, HOST,
                b -> b.subjectAltName(new SanMatch(SanMatchType.Prefix, "spiffe://other.local/")),
                expect(SAN_MISMATCH, OK, SAN_MISMATCH, OK), HOST));
        rows.add(row("wildcard SAN covers one label", Server.WILDCARD, "a.example.test", none,
                expect(OK, OK, OK, OK), "a.example.test"));
        rows.add(row("wildcard SAN does not cover two labels", Server.WILDCARD, "a.b.example.test", none,
                expect(SAN_MISMATCH, OK, SAN_MISMATCH, OK), "a.b.example.test"));
        rows.add(new Row("mTLS server, client certificate configured", Server.MTLS, HOST, none,
                expect(OK, OK, OK, BAD_CLIENT_CERT), HOST, TlsZoo.CLIENT, null));
        rows.add(new Row("mTLS server, RSA client certificate with PKCS#1 key", Server.MTLS, HOST, none,
                expect(OK, OK, OK, BAD_CLIENT_CERT), HOST, TlsZoo.CLIENT_RSA, null));
        rows.add(row("mTLS server, no client certificate", Server.MTLS, HOST, none,
                expect(BAD_CLIENT_CERT, BAD_CLIENT_CERT, BAD_CLIENT_CERT, BAD_CLIENT_CERT), HOST));
        rows.add(new Row("TLS 1.2-only server, default versions", Server.TLS12_ONLY, HOST, none,
                expect(OK, OK, OK, OK), HOST, null, "TLSv1.2"));
        rows.add(row("TLS 1.2-only server, min TLS13", Server.TLS12_ONLY, HOST,
                b -> b.versions(TlsVersion.TLS13, null), expect(VERSION, VERSION, VERSION, VERSION), HOST));
        rows.add(new Row("TLS 1.3-only server, default versions", Server.TLS13_ONLY, HOST, none,
                expect(OK, OK, OK, OK), HOST, null, "TLSv1.3"));
        rows.add(row("TLS 1.3-only server, max TLS12", Server.TLS13_ONLY, HOST,
                b -> b.versions(null, TlsVersion.TLS12), expect(VERSION, VERSION, VERSION, VERSION), HOST));
        rows.add(row("openssl: good chain", Server.OPENSSL_GOOD, HOST, none, expect(OK, OK, OK, OK), HOST));
        rows.add(row("openssl: IP endpoint, no SNI", Server.OPENSSL_GOOD, "127.0.0.1", none, expect(OK, OK, OK, OK), null));
        rows.add(row("openssl: wrong host", Server.OPENSSL_WRONG_HOST, HOST, none,
                expect(SAN_MISMATCH, OK, SAN_MISMATCH, OK), HOST));
        rows.add(row("openssl: TLS 1.2-only, min TLS13", Server.OPENSSL_TLS12_ONLY, HOST,
                b -> b.versions(TlsVersion.TLS13, TlsVersion.TLS13), expect(VERSION, VERSION, VERSION, VERSION), HOST));
        rows.add(new Row("openssl: TLS 1.2-only, default versions", Server.OPENSSL_TLS12_ONLY, HOST, none,
                expect(OK, OK, OK, OK), HOST, null, "TLSv1.2"));
        rows.add(new Row("openssl: mTLS, client certificate configured", Server.OPENSSL_MTLS, HOST, none,
                expect(OK, OK, OK, BAD_CLIENT_CERT), HOST, TlsZoo.CLIENT_RSA, null));
        return rows;
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Row r : rows()) {
            for (VerificationMode mode : MODES) {
                for (SslProvider provider : PROVIDERS) {
                    cases.add(Arguments.of(r, mode, provider));
                }
            }
        }
        return cases.stream();
    }

    private static EventLoopGroup group;
    private static final Map<Server, NettyTlsServer> NETTY = new EnumMap<>(Server.class);
    private static final Map<SslProvider, UpstreamTlsContextFactory> FACTORIES = new EnumMap<>(SslProvider.class);

    @TempDir
    static Path dir;

    @BeforeAll
    static void startServers() throws Exception {
        assertThat(OpenSsl.isAvailable()).as("netty-tcnative BoringSSL must load").isTrue();
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        NETTY.put(Server.GOOD, NettyTlsServer.start(group, TlsZoo.GOOD, BOTH, null));
        NETTY.put(Server.EXPIRED_CERT, NettyTlsServer.start(group, TlsZoo.EXPIRED, BOTH, null));
        NETTY.put(Server.NOT_YET_VALID_CERT, NettyTlsServer.start(group, TlsZoo.NOT_YET_VALID, BOTH, null));
        NETTY.put(Server.WRONG_HOST, NettyTlsServer.start(group, TlsZoo.WRONG_HOST, BOTH, null));
        NETTY.put(Server.SELF_SIGNED, NettyTlsServer.start(group, TlsZoo.SELF_SIGNED, BOTH, null));
        NETTY.put(Server.UNTRUSTED_ROOT, NettyTlsServer.start(group, TlsZoo.UNTRUSTED, BOTH, null));
        NETTY.put(Server.SPIFFE, NettyTlsServer.start(group, TlsZoo.SPIFFE_ONLY, BOTH, null));
        NETTY.put(Server.WILDCARD, NettyTlsServer.start(group, TlsZoo.WILDCARD, BOTH, null));
        NETTY.put(Server.MTLS, NettyTlsServer.start(group, TlsZoo.GOOD, BOTH, TlsZoo.CLIENT_ROOT));
        NETTY.put(Server.TLS12_ONLY, NettyTlsServer.start(group, TlsZoo.GOOD, List.of("TLSv1.2"), null));
        NETTY.put(Server.TLS13_ONLY, NettyTlsServer.start(group, TlsZoo.GOOD, List.of("TLSv1.3"), null));
        // No system bundle: every row names its CA, and a silent fallback would hide a bug.
        SystemTrust noSystemCa = new SystemTrust(Map.of(), List.of());
        for (SslProvider p : PROVIDERS) {
            FACTORIES.put(p, new UpstreamTlsContextFactory(p, noSystemCa));
        }
    }

    @AfterAll
    static void stopServers() {
        NETTY.values().forEach(NettyTlsServer::close);
        NETTY.clear();
        if (group != null) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @ParameterizedTest(name = "{0} / {1} / {2}")
    @MethodSource("cases")
    void connectsOrRefusesAsTheContractSays(Row row, VerificationMode mode, SslProvider provider) throws Exception {
        UpstreamTlsSpec.Builder b = UpstreamTlsSpec.builder().mode(mode).caCertPem(TlsZoo.ROOT.certificatePem());
        Issued client = row.clientCert();
        if (client != null) {
            // EC keys as PKCS#8, RSA keys as PKCS#1 ("BEGIN RSA PRIVATE KEY").
            b.clientCertificate(client.chainPem(), "RSA".equals(client.privateKey().getAlgorithm())
                    ? client.privateKeyTraditionalPem() : client.privateKeyPkcs8Pem());
        }
        UpstreamTlsSpec spec = row.settings().apply(b).build();
        UpstreamTlsContext context = FACTORIES.get(provider).get(spec);
        Stats stats = new Stats();
        UpstreamTlsStats tlsStats = new UpstreamTlsStats(stats, "mes");
        TlsFailureReason expected = row.expected().get(mode);

        TlsProbe.Outcome outcome;
        String sni;
        String clientSubject;
        List<String> serverLog = List.of();
        if (row.server().openssl()) {
            List<String> args = switch (row.server()) {
                case OPENSSL_TLS12_ONLY -> List.of("-tls1_2");
                case OPENSSL_MTLS -> List.of("-Verify", "1", "-verify_return_error", "-verifyCAfile",
                        TlsZoo.CLIENT_ROOT.writeCertificate(dir, "client-ca.pem").toString());
                default -> List.of();
            };
            try (OpensslServer server = OpensslServer.start(dir, row.server().leaf, args)) {
                outcome = TlsProbe.run(group, context, tlsStats, row.endpointHost(), server.port(), "gnip\n");
                List<String> output = server.awaitOutput();
                serverLog = output;
                sni = OpensslServer.sniSeen(output);
                clientSubject = output.stream().filter(l -> l.startsWith("Peer certificate: "))
                        .map(l -> l.substring("Peer certificate: ".length()).replace(" = ", "="))
                        .findFirst().orElse(null);
            }
        } else {
            NettyTlsServer server = NETTY.get(row.server());
            server.clear();
            outcome = TlsProbe.run(group, context, tlsStats, row.endpointHost(), server.port(), "ping\n");
            NettyTlsServer.Seen seen = server.next();
            sni = seen.sni();
            clientSubject = seen.clientSubject();
        }

        assertThat(outcome.reason()).as("outcome (failure: %s)", outcome.failure()).isEqualTo(expected);
        assertThat(sni).as("SNI the server saw; server log %s", serverLog).isEqualTo(row.expectedSni());
        if (client != null && expected == null) {
            assertThat(clientSubject).as("client certificate the server got; server log %s", serverLog)
                    .isEqualTo(client.certificate().getSubjectX500Principal().getName());
        }
        if (mode == SkipAll) {
            assertThat(clientSubject).as("SkipAll sends no client certificate").isNull();
        }
        if (row.expectedProtocol() != null && expected == null) {
            assertThat(outcome.protocol()).isEqualTo(row.expectedProtocol());
        }
        assertCounters(stats, expected, outcome);
    }

    private static void assertCounters(Stats stats, TlsFailureReason expected, TlsProbe.Outcome outcome) {
        long handshakes = stats.counterValue(UpstreamTlsStats.HANDSHAKE, UpstreamTlsStats.CLUSTER_TAG, "mes");
        long errors = stats.counterValue(UpstreamTlsStats.CONNECTION_ERROR, UpstreamTlsStats.CLUSTER_TAG, "mes");
        long verify = stats.counterValue(UpstreamTlsStats.FAIL_VERIFY_ERROR, UpstreamTlsStats.CLUSTER_TAG, "mes");
        long san = stats.counterValue(UpstreamTlsStats.FAIL_VERIFY_SAN, UpstreamTlsStats.CLUSTER_TAG, "mes");
        if (expected == null || outcome.handshakeOk()) {
            // TLS 1.3 servers refuse a client certificate after the client's handshake completed.
            assertThat(List.of(handshakes, errors, verify, san)).isEqualTo(List.of(1L, 0L, 0L, 0L));
        } else {
            assertThat(handshakes).isZero();
            assertThat(errors).isEqualTo(1);
            assertThat(san).isEqualTo(expected == SAN_MISMATCH ? 1 : 0);
            assertThat(verify).isEqualTo(expected.isVerification() && expected != SAN_MISMATCH ? 1 : 0);
        }
    }
}
