package io.sallyport.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.testing.Await;
import io.sallyport.testing.OpensslServer;
import io.sallyport.testing.TestCertificates;
import io.sallyport.testing.TestCertificates.Issued;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documentation's "TCP with TLS" and "TCP with mTLS" examples, run as they are from
 * {@code config-examples/}: the application's plain TCP ({@code nc}) to the Dataplane outbound becomes
 * verified TLS (and mTLS, with the docs' inline PKCS#1 key) to {@code openssl s_server} stand-ins on the
 * examples' ports. A stand-in whose certificate the example CA did not sign is refused, and the access
 * log line says why.
 */
class TlsOriginationIT {

    private static final Duration READY = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static Path example(String name) {
        return SallyportProcess.root().resolve("config-examples").resolve(name);
    }

    private static Path cert(String name) {
        return SallyportProcess.root().resolve("config-examples/certs").resolve(name);
    }

    private static String shell(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(command).isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static OpensslServer standIn(Path cert, Path key, int port, List<String> extra) throws Exception {
        OpensslServer s = OpensslServer.startOn(cert, key, port, extra, 1);
        assertThat(s).as("openssl s_server on 127.0.0.1:%d (is the port free?)", port).isNotNull();
        return s;
    }

    @Test
    void tcpTlsExampleVerifiesTheStandInAndRefusesAnUnknownCa() throws Exception {
        try (SallyportProcess p = SallyportProcess.start(dir, "run", "--config", example("tcp-tls").toString(),
                "--dns-enabled=false")) {
            p.awaitReady(9903, READY);

            List<String> output;
            try (OpensslServer server = standIn(cert("server.crt"), cert("server.key"), 14243, List.of())) {
                // s_server -rev answers each line reversed.
                assertThat(shell("echo 'echo this' | nc -q 3 127.0.0.1 4243")).isEqualTo("siht ohce\n");
                output = server.awaitOutput();
            }
            assertThat(OpensslServer.sniSeen(output)).as("SNI is the example's serverName").isEqualTo("localhost");

            // A stand-in with a certificate for localhost from a CA the example does not trust.
            Issued rogueCa = TestCertificates.builder("Rogue CA").ca().build();
            Issued rogue = TestCertificates.builder("localhost").issuer(rogueCa).dns("localhost").ip("127.0.0.1").build();
            Path rogueCert = rogue.writeCertificate(dir, "rogue.pem");
            Path rogueKey = TestCertificates.write(dir.resolve("rogue.key"), rogue.privateKeyTraditionalPem());
            try (OpensslServer server = standIn(rogueCert, rogueKey, 14243, List.of())) {
                assertThat(shell("echo 'echo this' | nc -q 3 127.0.0.1 4243")).isEmpty();
                server.awaitOutput();
            }
            AdminClient admin = new AdminClient(9903);
            admin.awaitBody("/stats/prometheus", b -> b.contains(
                    "envoy_cluster_ssl_fail_verify_error{envoy_cluster_name=\"mes-tcp-tls\"} 1"), READY);
            assertThat(admin.get("/stats/prometheus").body())
                    .contains("envoy_cluster_ssl_handshake{envoy_cluster_name=\"mes-tcp-tls\"} 1");
            awaitLine(p, "\"- - -\" 0 UF unknown_ca 0 0 ");
            assertThat(p.stdout().lines().filter(l -> l.contains("\"- - -\" 0 - 10 10 "))).hasSize(1);
            assertThat(p.stderr()).contains("upstream TLS handshake failed: cluster=mes-tcp-tls")
                    .contains("reason=unknown_ca");
            assertThat(p.stop(Duration.ofSeconds(20))).isZero();
        }
    }

    @Test
    void tcpMtlsExampleSendsTheClientCertificate() throws Exception {
        try (SallyportProcess p = SallyportProcess.start(dir, "run", "--config", example("tcp-mtls").toString(),
                "--dns-enabled=false")) {
            p.awaitReady(9904, READY);

            List<String> output;
            try (OpensslServer server = standIn(cert("server.crt"), cert("server.key"), 14244,
                    List.of("-Verify", "1", "-verify_return_error", "-CAfile", cert("ca.crt").toString()))) {
                assertThat(shell("echo 'echo this' | nc -q 3 127.0.0.1 4244")).isEqualTo("siht ohce\n");
                output = server.awaitOutput();
            }
            assertThat(OpensslServer.peerSubject(output)).as("client certificate; server log %s", output)
                    .contains("CN=sallyport-example-client");
            assertThat(OpensslServer.sniSeen(output)).isEqualTo("localhost");
            awaitLine(p, "\"- - -\" 0 - 10 10 ");
            assertThat(p.stop(Duration.ofSeconds(20))).isZero();
        }
    }

    /** Waits (at most 10 s) for an access log line containing {@code text} on stdout. */
    private static void awaitLine(SallyportProcess p, String text) throws InterruptedException {
        assertThat(Await.until(() -> p.stdout().lines().anyMatch(l -> l.contains(text)), Duration.ofSeconds(10)))
                .as("access log line with %s; stdout:%n%s", text, p.stdout()).isTrue();
    }
}
