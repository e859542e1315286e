package io.sallyport.listeners.tls;

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
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.sallyport.core.config.DataSource;
import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.config.MeshExternalService.SanMatch;
import io.sallyport.core.config.MeshExternalService.SanMatchType;
import io.sallyport.core.config.MeshExternalService.TlsVersion;
import io.sallyport.core.config.MeshExternalService.VerificationMode;
import io.sallyport.core.config.Resource;
import io.sallyport.core.config.Secret;
import io.sallyport.core.transport.Transport;
import io.sallyport.testing.OpensslServer;
import io.sallyport.testing.TestResources;
import io.sallyport.testing.TlsEchoServer;
import io.sallyport.testing.TestCertificates.Issued;
import io.sallyport.tls.SystemTrust;
import io.sallyport.tls.TlsFailureReason;
import io.sallyport.tls.UpstreamTlsStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TLS origination through {@code ListenerManager}: an application's plain TCP connection to an
 * outbound listener becomes verified TLS to a real server (Netty with the JDK engine, or
 * {@code openssl s_server}). Every row runs in every verification mode with both client engines, and
 * asserts that bytes flow or that the connection is closed without a byte reaching the server, the SNI
 * the server saw, the client certificate it got, the per-cluster TLS counters and the access log line.
 */
class TlsOriginationTableTest {

    private static final String HOST = TlsZoo.HOST;
    private static final List<VerificationMode> MODES = List.of(Secured, SkipSAN, SkipCA, SkipAll);
    private static final List<SslProvider> PROVIDERS = List.of(SslProvider.JDK, SslProvider.OPENSSL);
    private static final TlsFailureReason OK = null;
    private static final AtomicInteger CASES = new AtomicInteger();

    enum Server {
        GOOD(TlsZoo.GOOD), EXPIRED_CERT(TlsZoo.EXPIRED), NOT_YET_VALID_CERT(TlsZoo.NOT_YET_VALID),
        WRONG_HOST(TlsZoo.WRONG_HOST), SELF_SIGNED(TlsZoo.SELF_SIGNED), UNTRUSTED_ROOT(TlsZoo.UNTRUSTED),
        SPIFFE(TlsZoo.SPIFFE_ONLY), MTLS(TlsZoo.GOOD), TLS12_ONLY(TlsZoo.GOOD), TLS13_ONLY(TlsZoo.GOOD),
        OPENSSL_GOOD(TlsZoo.GOOD), OPENSSL_MTLS(TlsZoo.GOOD), OPENSSL_TLS13_ONLY(TlsZoo.GOOD);

        final Issued leaf;

        Server(Issued leaf) {
            this.leaf = leaf;
        }

        boolean openssl() {
            return name().startsWith("OPENSSL_");
        }
    }

    /** Settings of one row beyond the mode: endpoint host, serverName, SAN matchers, versions, client cert. */
    record Settings(String endpointHost, String serverName, List<SanMatch> sans, TlsVersion min, TlsVersion max,
                    Issued clientCert, boolean caFromSecret) {
        static Settings dns() {
            return new Settings(HOST, null, List.of(), null, null, null, false);
        }

        Settings endpoint(String host) {
            return new Settings(host, serverName, sans, min, max, clientCert, caFromSecret);
        }

        Settings serverName(String name) {
            return new Settings(endpointHost, name, sans, min, max, clientCert, caFromSecret);
        }

        Settings san(SanMatchType type, String value) {
            List<SanMatch> more = new ArrayList<>(sans);
            more.add(new SanMatch(type, value));
            return new Settings(endpointHost, serverName, more, min, max, clientCert, caFromSecret);
        }

        Settings versions(TlsVersion lo, TlsVersion hi) {
            return new Settings(endpointHost, serverName, sans, lo, hi, clientCert, caFromSecret);
        }

        Settings client(Issued cert) {
            return new Settings(endpointHost, serverName, sans, min, max, cert, caFromSecret);
        }

        Settings withCaFromSecret() {
            return new Settings(endpointHost, serverName, sans, min, max, clientCert, true);
        }
    }

    record Row(String name, Server server, Settings settings, Map<VerificationMode, TlsFailureReason> expected,
               String expectedSni, String expectedProtocol) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Map<VerificationMode, TlsFailureReason> expect(TlsFailureReason secured, TlsFailureReason skipSan,
                                                                  TlsFailureReason skipCa, TlsFailureReason skipAll) {
        Map<VerificationMode, TlsFailureReason> m = new EnumMap<>(VerificationMode.class);
        m.put(Secured, secured);
        m.put(SkipSAN, skipSan);
        m.put(SkipCA, skipCa);
        m.put(SkipAll, skipAll);
        return m;
    }

    static List<Row> rows() {
        Settings dns = Settings.dns();
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("good chain, DNS endpoint", Server.GOOD, dns, expect(OK, OK, OK, OK), HOST, null));
        rows.add(new Row("good chain, CA from a Secret", Server.GOOD, dns.withCaFromSecret(), expect(OK, OK, OK, OK), HOST, null));
        rows.add(new Row("good chain, serverName not in SANs", Server.GOOD, dns.serverName("db.example.test"),
                expect(SAN_MISMATCH, OK, SAN_MISMATCH, OK), "db.example.test", null));
        rows.add(new Row("expired", Server.EXPIRED_CERT, dns, expect(EXPIRED, EXPIRED, OK, OK), HOST, null));
        rows.add(new Row("not yet valid", Server.NOT_YET_VALID_CERT, dns,
                expect(NOT_YET_VALID, NOT_YET_VALID, OK, OK), HOST, null));
        rows.add(new Row("wrong host", Server.WRONG_HOST, dns, expect(SAN_MISMATCH, OK, SAN_MISMATCH, OK), HOST, null));
        rows.add(new Row("self-signed", Server.SELF_SIGNED, dns, expect(UNKNOWN_CA, UNKNOWN_CA, OK, OK), HOST, null));
        rows.add(new Row("untrusted root", Server.UNTRUSTED_ROOT, dns, expect(UNKNOWN_CA, UNKNOWN_CA, OK, OK), HOST, null));
        rows.add(new Row("SPIFFE URI SAN, no matcher", Server.SPIFFE, dns,
                expect(SAN_MISMATCH, OK, SAN_MISMATCH, OK), HOST, null));
        rows.add(new Row("SPIFFE URI SAN, Prefix matcher", Server.SPIFFE,
                dns.san(SanMatchType.Prefix, "spiffe://example.local/ns/local/"), expect(OK, OK, OK, OK), HOST, null));
        rows.add(new Row("IP endpoint, IP SAN, no SNI", Server.GOOD, dns.endpoint("127.0.0.1"),
                expect(OK, OK, OK, OK), null, null));
        rows.add(new Row("IP endpoint without IP SAN", Server.WRONG_HOST, dns.endpoint("127.0.0.1"),
                expect(SAN_MISMATCH, OK, SAN_MISMATCH, OK), null, null));
        rows.add(new Row("TLS 1.2-only server", Server.TLS12_ONLY, dns, expect(OK, OK, OK, OK), HOST, "TLSv1.2"));
        rows.add(new Row("TLS 1.2-only server, min TLS13", Server.TLS12_ONLY, dns.versions(TlsVersion.TLS13, null),
                expect(VERSION, VERSION, VERSION, VERSION), HOST, null));
        rows.add(new Row("TLS 1.3-only server", Server.TLS13_ONLY, dns, expect(OK, OK, OK, OK), HOST, "TLSv1.3"));
        rows.add(new Row("TLS 1.3-only server, max TLS12", Server.TLS13_ONLY, dns.versions(null, TlsVersion.TLS12),
                expect(VERSION, VERSION, VERSION, VERSION), HOST, null));
        rows.add(new Row("mTLS server, EC client certificate", Server.MTLS, dns.client(TlsZoo.CLIENT),
                expect(OK, OK, OK, BAD_CLIENT_CERT), HOST, null));
        rows.add(new Row("mTLS server, no client certificate", Server.MTLS, dns,
                expect(BAD_CLIENT_CERT, BAD_CLIENT_CERT, BAD_CLIENT_CERT, BAD_CLIENT_CERT), HOST, null));
        rows.add(new Row("openssl: good chain", Server.OPENSSL_GOOD, dns, expect(OK, OK, OK, OK), HOST, null));
        rows.add(new Row("openssl: IP endpoint, no SNI", Server.OPENSSL_GOOD, dns.endpoint("127.0.0.1"),
                expect(OK, OK, OK, OK), null, null));
        rows.add(new Row("openssl: TLS 1.3-only, max TLS12", Server.OPENSSL_TLS13_ONLY,
                dns.versions(TlsVersion.TLS12, TlsVersion.TLS12), expect(VERSION, VERSION, VERSION, VERSION), HOST, null));
        rows.add(new Row("openssl: mTLS, RSA client certificate with PKCS#1 key", Server.OPENSSL_MTLS,
                dns.client(TlsZoo.CLIENT_RSA), expect(OK, OK, OK, BAD_CLIENT_CERT), HOST, null));
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
    private static final Map<Server, TlsEchoServer> NETTY = new EnumMap<>(Server.class);
    private static final Map<SslProvider, ListenerTlsHarness> HARNESS = new EnumMap<>(SslProvider.class);

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        assertThat(OpenSsl.isAvailable()).as("netty-tcnative BoringSSL must load").isTrue();
        group = Transport.platform().newEventLoopGroup(2, "tls-table");
        TlsEchoServer.Options both = TlsEchoServer.Options.defaults();
        for (Server s : Server.values()) {
            if (s.openssl()) {
                continue;
            }
            TlsEchoServer.Options o = switch (s) {
                case MTLS -> both.requireClientCert(TlsZoo.CLIENT_ROOT);
                case TLS12_ONLY -> both.protocols("TLSv1.2");
                case TLS13_ONLY -> both.protocols("TLSv1.3");
                default -> both;
            };
            NETTY.put(s, TlsEchoServer.start(s.leaf, o));
        }
        // No system bundle: every row names its CA, and a silent fallback would hide a bug.
        SystemTrust noSystemCa = new SystemTrust(Map.of(), List.of());
        for (SslProvider p : PROVIDERS) {
            HARNESS.put(p, new ListenerTlsHarness(group, p, noSystemCa));
        }
    }

    @AfterAll
    static void stop() {
        HARNESS.values().forEach(ListenerTlsHarness::close);
        HARNESS.clear();
        NETTY.values().forEach(TlsEchoServer::close);
        NETTY.clear();
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @ParameterizedTest(name = "{0} / {1} / {2}")
    @MethodSource("cases")
    void connectsOrRefusesAsTheContractSays(Row row, VerificationMode mode, SslProvider provider) throws Exception {
        ListenerTlsHarness h = HARNESS.get(provider);
        String cluster = "mes-" + CASES.incrementAndGet();
        TlsFailureReason expected = row.expected().get(mode);
        Settings s = row.settings();

        if (row.server().openssl()) {
            List<String> args = switch (row.server()) {
                case OPENSSL_TLS13_ONLY -> List.of("-tls1_3");
                case OPENSSL_MTLS -> List.of("-Verify", "1", "-verify_return_error", "-verifyCAfile",
                        TlsZoo.CLIENT_ROOT.writeCertificate(dir, "client-ca.pem").toString());
                default -> List.of();
            };
            try (OpensslServer server = OpensslServer.start(dir, row.server().leaf, args)) {
                apply(h, cluster, row, mode, server.port());
                // s_server -rev answers each line reversed.
                byte[] got = ListenerTlsHarness.exchange(h.listener(), bytes("gnip\n"), expected == OK ? 5 : 0);
                List<String> output = server.awaitOutput();
                assertOutcome(got, "ping\n", expected, output);
                assertThat(OpensslServer.sniSeen(output)).as("SNI; server log %s", output).isEqualTo(row.expectedSni());
                String subject = OpensslServer.peerSubject(output);
                if (s.clientCert() != null && expected == OK) {
                    assertThat(subject).isEqualTo(s.clientCert().certificate().getSubjectX500Principal().getName());
                }
                if (mode == SkipAll) {
                    assertThat(subject).as("SkipAll sends no client certificate").isNull();
                }
            }
        } else {
            TlsEchoServer server = NETTY.get(row.server());
            server.clear();
            long before = server.bytesReceived();
            apply(h, cluster, row, mode, server.port());
            byte[] got = ListenerTlsHarness.exchange(h.listener(), bytes("ping\n"), expected == OK ? 5 : 0);
            assertOutcome(got, "ping\n", expected, List.of());
            TlsEchoServer.Seen seen = server.next();
            assertThat(seen.sni()).as("SNI the server saw").isEqualTo(row.expectedSni());
            if (expected != OK) {
                assertThat(server.bytesReceived() - before).as("bytes that reached the server").isZero();
            }
            if (s.clientCert() != null && expected == OK) {
                assertThat(seen.clientSubject())
                        .isEqualTo(s.clientCert().certificate().getSubjectX500Principal().getName());
            }
            if (mode == SkipAll) {
                assertThat(seen.clientSubject()).as("SkipAll sends no client certificate").isNull();
            }
            if (row.expectedProtocol() != null) {
                assertThat(seen.protocol()).isEqualTo(row.expectedProtocol());
            }
        }
        assertCountersAndAccessLog(h, cluster, expected);
    }

    private static void apply(ListenerTlsHarness h, String cluster, Row row, VerificationMode mode, int port)
            throws Exception {
        Settings s = row.settings();
        List<Resource> extra = new ArrayList<>();
        DataSource ca = new DataSource.InlineString(TlsZoo.ROOT.certificatePem());
        if (s.caFromSecret()) {
            extra.add(new Secret(TestResources.meta("Secret", cluster + "-ca"),
                    TlsZoo.ROOT.certificatePem().getBytes(StandardCharsets.UTF_8)));
            ca = new DataSource.SecretRef(cluster + "-ca");
        }
        DataSource clientCert = null;
        DataSource clientKey = null;
        if (s.clientCert() != null) {
            clientCert = new DataSource.InlineString(s.clientCert().chainPem());
            // RSA keys as base64 inline PKCS#1, as Kuma's docs; EC keys as inlineString PKCS#8.
            clientKey = "RSA".equals(s.clientCert().privateKey().getAlgorithm())
                    ? new DataSource.Inline(s.clientCert().privateKeyTraditionalPem().getBytes(StandardCharsets.US_ASCII))
                    : new DataSource.InlineString(s.clientCert().privateKeyPkcs8Pem());
        }
        MeshExternalService.Tls tls = new MeshExternalService.Tls(true, new MeshExternalService.Version(s.min(), s.max()),
                false, new MeshExternalService.Verification(mode, s.serverName(), s.sans(), ca, clientCert, clientKey));
        h.apply(ListenerTlsHarness.mes(cluster, tls, TestResources.endpoint(s.endpointHost(), port)),
                extra.toArray(Resource[]::new));
    }

    private static void assertOutcome(byte[] got, String reply, TlsFailureReason expected, List<String> serverLog) {
        if (expected == OK) {
            assertThat(new String(got, StandardCharsets.UTF_8)).as("reply; server log %s", serverLog).isEqualTo(reply);
        } else {
            assertThat(got).as("closed without a byte; server log %s", serverLog).isEmpty();
        }
    }

    private static void assertCountersAndAccessLog(ListenerTlsHarness h, String cluster, TlsFailureReason expected)
            throws InterruptedException {
        String line = h.accessLine(cluster);
        long handshakes = h.counter(UpstreamTlsStats.HANDSHAKE, cluster);
        long errors = h.counter(UpstreamTlsStats.CONNECTION_ERROR, cluster);
        long verify = h.counter(UpstreamTlsStats.FAIL_VERIFY_ERROR, cluster);
        long san = h.counter(UpstreamTlsStats.FAIL_VERIFY_SAN, cluster);
        if (expected == OK) {
            assertThat(List.of(handshakes, errors, verify, san)).isEqualTo(List.of(1L, 0L, 0L, 0L));
            assertThat(line).contains("\"response_flags\":\"-\"", "\"upstream_transport_failure_reason\":null");
        } else if (expected == BAD_CLIENT_CERT && handshakes == 1) {
            // TLS 1.3: the server refuses the client certificate after the client finished its handshake.
            assertThat(errors).isZero();
            assertThat(line).contains("\"bytes_sent\":0");
        } else {
            assertThat(handshakes).isZero();
            assertThat(errors).isEqualTo(1);
            assertThat(san).isEqualTo(expected == SAN_MISMATCH ? 1 : 0);
            assertThat(verify).isEqualTo(expected.isVerification() && expected != SAN_MISMATCH ? 1 : 0);
            assertThat(line).contains("\"response_flags\":\"UF\"",
                    "\"upstream_transport_failure_reason\":\"" + expected.logName() + "\"", "\"bytes_sent\":0");
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
