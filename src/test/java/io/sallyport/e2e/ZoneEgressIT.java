package io.sallyport.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.egress.sni.KumaSni;
import io.sallyport.testing.EchoServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three processes on loopback: an application client ({@code nc}, {@code openssl s_client}), a Sallyport
 * sidecar (dataplane mode, Mesh with {@code routing.zoneEgress} and mTLS) and a Sallyport zone egress
 * ({@code --proxy-type egress}), with mesh certificates from {@code sallyport ca}. Services behind the
 * egress: a TCP echo, a TLS echo ({@code socat} with the example certificates; the egress originates the
 * TLS), and a unix socket echo. A second sidecar with another identity is denied by a
 * MeshTrafficPermission; a Kuma-style client ({@code openssl s_client} with the mesh certificate, the Kuma
 * SNI and ALPN {@code kuma}) gets through; foreign and SAN-less certificates do not; the egress
 * certificate is rotated under a live stream.
 */
class ZoneEgressIT {

    private static final Duration READY = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private static final String SHARED = """
            type: Mesh
            name: default
            mtls:
              enabledBackend: ca-1
              backends:
                - name: ca-1
                  type: builtin
            routing:
              zoneEgress: true
              defaultForbidMeshExternalServiceAccess: true
            ---
            type: ZoneEgress
            name: egress
            networking:
              address: 127.0.0.1
              port: %1$d
              admin:
                port: %2$d
            ---
            type: MeshExternalService
            name: mes-tcp
            mesh: default
            spec:
              match: {type: HostnameGenerator, port: 4242, protocol: tcp}
              endpoints: [{address: 127.0.0.1, port: %3$d}]
            ---
            type: MeshExternalService
            name: mes-tls
            mesh: default
            spec:
              match: {type: HostnameGenerator, port: 4243, protocol: tcp}
              endpoints: [{address: 127.0.0.1, port: %4$d}]
              tls:
                enabled: true
                verification:
                  serverName: localhost
                  caCert: {file: %5$s}
            ---
            type: MeshExternalService
            name: mes-unix
            mesh: default
            spec:
              match: {type: HostnameGenerator, port: 4244, protocol: tcp}
              endpoints: [{address: "unix://%6$s"}]
            ---
            type: MeshTrafficPermission
            name: mesh-may-leave
            mesh: default
            spec:
              targetRef: {kind: Mesh}
              from:
                - targetRef: {kind: Mesh}
                  default: {action: Allow}
              rules:
                - default:
                    deny:
                      - spiffeID: {type: Exact, value: "spiffe://default/intruder"}
            """;

    private static String dataplane(String name, int admin, int tcp, int tls, int unix) {
        return """
                ---
                type: Dataplane
                name: %s
                mesh: default
                networking:
                  address: 127.0.0.1
                  admin: {port: %d}
                  outbound:
                    - {port: %d, backendRef: {kind: MeshExternalService, name: mes-tcp}}
                    - {port: %d, backendRef: {kind: MeshExternalService, name: mes-tls}}
                    - {port: %d, backendRef: {kind: MeshExternalService, name: mes-unix}}
                """.formatted(name, admin, tcp, tls, unix);
    }

    private static String shell(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(command).isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private void ca(String... args) {
        List<String> all = new ArrayList<>(List.of("ca"));
        all.addAll(List.of(args));
        SallyportProcess.Exited e = SallyportProcess.run(dir.resolve("logs"), Duration.ofSeconds(60),
                all.toArray(new String[0]));
        assertThat(e.exitCode()).as(e.stderr()).isZero();
    }

    private SallyportProcess proxy(Path config, String type, Path identity, int admin, String... extra) {
        List<String> args = new ArrayList<>(List.of("run", "--config", config.toString(), "--proxy-type", type,
                "--mesh-ca", identity.resolve("ca.crt").toString(),
                "--identity-cert", identity.resolve("tls.crt").toString(),
                "--identity-key", identity.resolve("tls.key").toString()));
        args.addAll(List.of(extra));
        SallyportProcess p = SallyportProcess.start(dir.resolve("logs"), args.toArray(new String[0]));
        closing.add(p);
        p.awaitReady(admin, READY);
        return p;
    }

    @Test
    void sidecarToZoneEgressToTcpTlsAndUnixServices() throws Exception {
        // Services.
        EchoServer tcpEcho = EchoServer.tcp();
        closing.add(tcpEcho);
        Path sock = dir.resolve("echo.sock");
        EchoServer unixEcho = EchoServer.unix(sock);
        closing.add(unixEcho);
        Path certs = SallyportProcess.root().resolve("config-examples/certs");
        int tlsPort = FreePorts.tcp();
        Process tlsEcho = new ProcessBuilder("socat", "OPENSSL-LISTEN:" + tlsPort + ",bind=127.0.0.1,fork,reuseaddr,verify=0,"
                + "cert=" + certs.resolve("server.crt") + ",key=" + certs.resolve("server.key"), "EXEC:cat")
                .redirectErrorStream(true).redirectOutput(dir.resolve("socat.log").toFile()).start();
        closing.add(tlsEcho::destroy);

        // Mesh certificates, with the CLI.
        Path ca = dir.resolve("mesh-ca");
        ca("init", "--out", ca.toString(), "--mesh", "default");
        ca("issue", "--ca", ca.toString(), "--spiffe-id", "spiffe://default/zone-egress", "--out", dir.resolve("egress").toString());
        ca("issue", "--ca", ca.toString(), "--spiffe-id", "spiffe://default/web", "--out", dir.resolve("web").toString());
        ca("issue", "--ca", ca.toString(), "--spiffe-id", "spiffe://default/intruder", "--out", dir.resolve("intruder").toString());

        int egressPort = FreePorts.tcp();
        int egressAdmin = FreePorts.tcp();
        String shared = SHARED.formatted(egressPort, egressAdmin, tcpEcho.port(), tlsPort, certs.resolve("ca.crt"), sock);
        Path egressConf = Files.createDirectories(dir.resolve("conf-egress"));
        Files.writeString(egressConf.resolve("egress.yaml"), shared);
        int webAdmin = FreePorts.tcp(), webTcp = FreePorts.tcp(), webTls = FreePorts.tcp(), webUnix = FreePorts.tcp();
        Path webConf = Files.createDirectories(dir.resolve("conf-web"));
        Files.writeString(webConf.resolve("web.yaml"), shared + dataplane("web", webAdmin, webTcp, webTls, webUnix));
        int inAdmin = FreePorts.tcp(), inTcp = FreePorts.tcp(), inTls = FreePorts.tcp(), inUnix = FreePorts.tcp();
        Path inConf = Files.createDirectories(dir.resolve("conf-intruder"));
        Files.writeString(inConf.resolve("intruder.yaml"), shared + dataplane("intruder", inAdmin, inTcp, inTls, inUnix));

        SallyportProcess egress = proxy(egressConf, "egress", dir.resolve("egress"), egressAdmin);
        proxy(webConf, "dataplane", dir.resolve("web"), webAdmin, "--dns-enabled=false");
        proxy(inConf, "dataplane", dir.resolve("intruder"), inAdmin, "--dns-enabled=false");

        // The application: nc through the sidecar's outbounds.
        assertThat(shell("echo 'over tcp' | nc -q 3 127.0.0.1 " + webTcp)).isEqualTo("over tcp\n");
        assertThat(shell("echo 'over tls' | nc -q 3 127.0.0.1 " + webTls)).isEqualTo("over tls\n");
        assertThat(shell("echo 'over unix' | nc -q 3 127.0.0.1 " + webUnix)).isEqualTo("over unix\n");
        // Another identity, denied by the MeshTrafficPermission: closed without a byte.
        assertThat(shell("echo 'let me out' | nc -q 3 127.0.0.1 " + inTcp)).isEmpty();
        assertThat(tcpEcho.accepted()).isEqualTo(1);

        AdminClient admin = new AdminClient(egressAdmin);
        admin.awaitBody("/stats/prometheus", b -> b.contains("envoy_rbac_denied{envoy_cluster_name=\"mes-tcp\"} 1")
                && b.contains("envoy_rbac_allowed{envoy_cluster_name=\"mes-tls\"} 1"), READY);
        String log = egress.stdout();
        assertThat(log).contains("\"spiffe://default/web\" \"mes-unix\"").contains("\"spiffe://default/intruder\" \"mes-tcp\"");

        // What a Kuma Envoy sidecar sends: the mesh certificate, the Kuma SNI, ALPN kuma.
        String sni = KumaSni.forMeshExternalService("mes-tcp", "default", 4242);
        Path web = dir.resolve("web");
        String kuma = shell("echo 'like envoy' | timeout 10 openssl s_client -quiet -connect 127.0.0.1:" + egressPort
                + " -servername " + sni + " -alpn kuma -cert " + web.resolve("tls.crt") + " -key " + web.resolve("tls.key")
                + " -CAfile " + web.resolve("ca.crt") + " -verify_return_error 2>/dev/null");
        assertThat(kuma).isEqualTo("like envoy\n");

        // A foreign CA, and a mesh-CA certificate without a SPIFFE ID, are refused.
        Path foreign = dir.resolve("foreign-ca");
        ca("init", "--out", foreign.toString(), "--mesh", "default");
        ca("issue", "--ca", foreign.toString(), "--spiffe-id", "spiffe://default/web", "--out", dir.resolve("foreign").toString());
        Path f = dir.resolve("foreign");
        assertThat(shell("echo 'nope' | timeout 10 openssl s_client -quiet -connect 127.0.0.1:" + egressPort
                + " -servername " + sni + " -alpn kuma -cert " + f.resolve("tls.crt") + " -key " + f.resolve("tls.key")
                + " 2>/dev/null")).isEmpty();
        shell("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=nospiffe"
                + " -addext basicConstraints=critical,CA:FALSE -keyout " + dir.resolve("nospiffe.key") + " -out " + dir.resolve("nospiffe.csr.crt")
                + " -CA " + ca.resolve("ca.crt") + " -CAkey " + ca.resolve("ca.key") + " 2>&1");
        assertThat(shell("echo 'nope' | timeout 10 openssl s_client -quiet -connect 127.0.0.1:" + egressPort
                + " -servername " + sni + " -alpn kuma -cert " + dir.resolve("nospiffe.csr.crt") + " -key "
                + dir.resolve("nospiffe.key") + " 2>/dev/null")).isEmpty();
        // An SNI that names no service.
        assertThat(shell("echo 'nope' | timeout 10 openssl s_client -quiet -connect 127.0.0.1:" + egressPort
                + " -servername " + KumaSni.forMeshExternalService("nope", "default", 1) + " -cert "
                + web.resolve("tls.crt") + " -key " + web.resolve("tls.key") + " 2>/dev/null")).isEmpty();
        String tag = "envoy_listener_address=\"127.0.0.1_" + egressPort + "\"";
        admin.awaitBody("/stats/prometheus", b -> b.contains("envoy_listener_ssl_fail_verify_error{" + tag + "} 1")
                && b.contains("envoy_listener_ssl_fail_verify_san{" + tag + "} 1")
                && !b.contains("envoy_listener_no_filter_chain_match{" + tag + "} 0"), READY);

        // Rotation of the egress certificate while a stream flows through sidecar and egress.
        String serialBefore = serial(admin.get("/certs").body());
        try (Socket live = new Socket("127.0.0.1", webTcp)) {
            live.setSoTimeout(10_000);
            assertThat(roundTrip(live, "before rotation")).isEqualTo("before rotation");
            ca("issue", "--ca", ca.toString(), "--spiffe-id", "spiffe://default/zone-egress", "--out", dir.resolve("egress").toString());
            String certs2 = admin.awaitBody("/certs", b -> b.contains("\"reloads\" : 1"), READY);
            assertThat(serial(certs2)).isNotEqualTo(serialBefore);
            assertThat(roundTrip(live, "after rotation")).isEqualTo("after rotation");
            // New handshakes see the new certificate.
            String served = shell("echo | timeout 10 openssl s_client -connect 127.0.0.1:" + egressPort
                    + " -servername " + sni + " -alpn kuma -cert " + web.resolve("tls.crt") + " -key "
                    + web.resolve("tls.key") + " 2>/dev/null | openssl x509 -noout -serial");
            assertThat(served.trim().toLowerCase()).isEqualTo("serial=" + serial(certs2));
            assertThat(shell("echo 'new handshake' | nc -q 3 127.0.0.1 " + webTcp)).isEqualTo("new handshake\n");
            assertThat(roundTrip(live, "still flowing")).isEqualTo("still flowing");
        }
        assertThat(admin.get("/config_dump").body()).contains("\"certificates\"").contains("spiffe://default/zone-egress")
                .doesNotContain("PRIVATE KEY");
    }

    /** The identity chain's first serial number in a {@code /certs} body, zero-padded as openssl prints it. */
    private static String serial(String certs) {
        int i = certs.indexOf("\"serial_number\" : \"") + "\"serial_number\" : \"".length();
        String hex = certs.substring(i, certs.indexOf('"', i));
        return (hex.length() % 2 == 1 ? "0" + hex : hex);
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
        byte[] buf = new byte[text.length()];
        InputStream in = s.getInputStream();
        int off = 0;
        for (int n; off < buf.length && (n = in.read(buf, off, buf.length - off)) >= 0; ) {
            off += n;
        }
        return new String(buf, 0, off, StandardCharsets.UTF_8);
    }
}
