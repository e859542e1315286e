package io.sallyport.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.sallyport.egress.sni.KumaSni;
import io.sallyport.testing.Await;
import io.sallyport.testing.EchoServer;
import io.sallyport.testing.OpensslServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
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
 * certificate is rotated under a live stream. Separately: an mTLS server ({@code openssl s_server -Verify 1})
 * and an HTTPS origin ({@code openssl s_server -www}) reached from the application through sidecar and
 * egress, the egress originating the TLS with the service's client certificate; a grpc-java TLS server reached
 * by a grpc-java client in h2c through sidecar and egress (the egress originating the TLS); and a sidecar or egress
 * without its mesh identity refused as an argument error (exit 1).
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
        // Access log lines are written when their connections have ended, after the counters above moved.
        assertThat(Await.until(() -> egress.stdout().contains("\"spiffe://default/web\" \"mes-unix\"")
                && egress.stdout().contains("\"spiffe://default/intruder\" \"mes-tcp\""), Duration.ofSeconds(10)))
                .as("access log lines of web and intruder; stdout:%n%s", egress.stdout()).isTrue();

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

    private static final String ORIGINATED = """
            type: Mesh
            name: default
            mtls:
              enabledBackend: ca-1
              backends:
                - name: ca-1
                  type: builtin
            routing:
              zoneEgress: true
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
            name: mes-mtls
            mesh: default
            spec:
              match: {type: HostnameGenerator, port: 4245, protocol: tcp}
              endpoints: [{address: 127.0.0.1, port: %3$d}]
              tls:
                enabled: true
                verification:
                  serverName: localhost
                  caCert: {file: %5$s/ca.crt}
                  clientCert: {file: %5$s/client.crt}
                  clientKey: {file: %5$s/client.key}
            ---
            type: MeshExternalService
            name: mes-https
            mesh: default
            spec:
              match: {type: HostnameGenerator, port: 80, protocol: http}
              endpoints: [{address: 127.0.0.1, port: %4$d}]
              tls:
                enabled: true
                verification:
                  serverName: localhost
                  caCert: {file: %5$s/ca.crt}
            """;

    @Test
    void theEgressOriginatesMtlsAndHttpsForTheSidecar() throws Exception {
        Path certs = SallyportProcess.root().resolve("config-examples/certs");
        // An mTLS server that requires a client certificate from the example CA (s_server -rev: lines reversed).
        OpensslServer mtls = OpensslServer.startOn(certs.resolve("server.crt"), certs.resolve("server.key"),
                FreePorts.tcp(), List.of("-Verify", "1", "-verify_return_error", "-CAfile", certs.resolve("ca.crt").toString()), 1);
        assertThat(mtls).as("openssl s_server (mTLS)").isNotNull();
        closing.add(mtls);
        // An HTTPS origin: openssl's status page.
        int httpsPort = FreePorts.tcp();
        Process https = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + httpsPort,
                "-cert", certs.resolve("server.crt").toString(), "-key", certs.resolve("server.key").toString(),
                "-www", "-quiet").redirectErrorStream(true).redirectOutput(dir.resolve("s_server.log").toFile()).start();
        closing.add(https::destroy);

        Path ca = dir.resolve("mesh-ca");
        ca("init", "--out", ca.toString(), "--mesh", "default");
        ca("issue", "--ca", ca.toString(), "--spiffe-id", "spiffe://default/zone-egress", "--out", dir.resolve("egress").toString());
        ca("issue", "--ca", ca.toString(), "--spiffe-id", "spiffe://default/web", "--out", dir.resolve("web").toString());

        int egressPort = FreePorts.tcp();
        int egressAdmin = FreePorts.tcp();
        String shared = ORIGINATED.formatted(egressPort, egressAdmin, mtls.port(), httpsPort, certs);
        Path egressConf = Files.createDirectories(dir.resolve("conf-egress"));
        Files.writeString(egressConf.resolve("egress.yaml"), shared);
        int webAdmin = FreePorts.tcp(), webMtls = FreePorts.tcp(), webHttps = FreePorts.tcp();
        Path webConf = Files.createDirectories(dir.resolve("conf-web"));
        Files.writeString(webConf.resolve("web.yaml"), shared + """
                ---
                type: Dataplane
                name: web
                mesh: default
                networking:
                  address: 127.0.0.1
                  admin: {port: %d}
                  outbound:
                    - {port: %d, backendRef: {kind: MeshExternalService, name: mes-mtls}}
                    - {port: %d, backendRef: {kind: MeshExternalService, name: mes-https}}
                """.formatted(webAdmin, webMtls, webHttps));
        SallyportProcess egress = proxy(egressConf, "egress", dir.resolve("egress"), egressAdmin);
        proxy(webConf, "dataplane", dir.resolve("web"), webAdmin, "--dns-enabled=false");

        // mTLS: the origin saw the MeshExternalService's client certificate, not the caller's mesh identity.
        assertThat(shell("echo 'echo this' | nc -q 3 127.0.0.1 " + webMtls)).isEqualTo("siht ohce\n");
        List<String> seen = mtls.awaitOutput();
        assertThat(OpensslServer.peerSubject(seen)).as("client certificate; server log %s", seen)
                .contains("CN=sallyport-example-client");
        assertThat(OpensslServer.sniSeen(seen)).isEqualTo("localhost");

        // HTTPS: plain HTTP from the application, TLS to the origin.
        assertThat(shell("curl -s -m 10 -w 'CODE %{http_code}' http://127.0.0.1:" + webHttps + "/"))
                .contains("Cipher").contains("CODE 200");

        // The egress originated both TLS sessions: its upstream handshakes, and the request it read in clear
        // inside the mesh tunnel, logged with the caller; the sidecar made only its mesh handshake per service.
        AdminClient egressAdminClient = new AdminClient(egressAdmin);
        egressAdminClient.awaitBody("/stats/prometheus",
                b -> b.contains("envoy_cluster_ssl_handshake{envoy_cluster_name=\"mes-mtls\"} 1")
                        && b.contains("envoy_cluster_ssl_handshake{envoy_cluster_name=\"mes-https\"} 1"), READY);
        awaitStdout(egress, "\"GET / HTTP/1.1\" 200 ", "\"spiffe://default/web\" \"mes-https\"");
        String sidecarStats = new AdminClient(webAdmin).awaitBody("/stats/prometheus",
                b -> b.contains("envoy_cluster_ssl_handshake{envoy_cluster_name=\"mes-https\"} 1"), READY);
        assertThat(sidecarStats).contains("envoy_cluster_ssl_handshake{envoy_cluster_name=\"mes-mtls\"} 1");
    }

    private static final String GRPCS = """
            type: Mesh
            name: default
            mtls:
              enabledBackend: ca-1
              backends:
                - name: ca-1
                  type: builtin
            routing:
              zoneEgress: true
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
            name: mes-grpcs
            mesh: default
            spec:
              match: {type: HostnameGenerator, port: 443, protocol: grpc}
              endpoints: [{address: 127.0.0.1, port: %3$d}]
              tls:
                enabled: true
                verification:
                  serverName: localhost
                  caCert: {file: %4$s/ca.crt}
            """;

    @Test
    void theEgressOriginatesTlsForGrpcFromTheSidecar() throws Exception {
        Path certs = SallyportProcess.root().resolve("config-examples/certs");
        // A grpc-java server with the example certificate (ALPN h2).
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
                        TlsServerCredentials.create(certs.resolve("server.crt").toFile(), certs.resolve("server.key").toFile()))
                .addService(GrpcEgressIT.service()).build().start();
        closing.add(() -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));

        Path ca = dir.resolve("mesh-ca");
        ca("init", "--out", ca.toString(), "--mesh", "default");
        ca("issue", "--ca", ca.toString(), "--spiffe-id", "spiffe://default/zone-egress", "--out", dir.resolve("egress").toString());
        ca("issue", "--ca", ca.toString(), "--spiffe-id", "spiffe://default/web", "--out", dir.resolve("web").toString());

        int egressPort = FreePorts.tcp();
        int egressAdmin = FreePorts.tcp();
        String shared = GRPCS.formatted(egressPort, egressAdmin, server.getPort(), certs);
        Path egressConf = Files.createDirectories(dir.resolve("conf-egress"));
        Files.writeString(egressConf.resolve("egress.yaml"), shared);
        int webAdmin = FreePorts.tcp(), webGrpc = FreePorts.tcp();
        Path webConf = Files.createDirectories(dir.resolve("conf-web"));
        Files.writeString(webConf.resolve("web.yaml"), shared + """
                ---
                type: Dataplane
                name: web
                mesh: default
                networking:
                  address: 127.0.0.1
                  admin: {port: %d}
                  outbound:
                    - {port: %d, backendRef: {kind: MeshExternalService, name: mes-grpcs}}
                """.formatted(webAdmin, webGrpc));
        SallyportProcess egress = proxy(egressConf, "egress", dir.resolve("egress"), egressAdmin);
        proxy(webConf, "dataplane", dir.resolve("web"), webAdmin, "--dns-enabled=false");

        // The application: grpc-java in plaintext h2c to the sidecar's outbound; unary, server-streaming, and
        // an error status with trailers from the origin, unchanged.
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", webGrpc).usePlaintext().build();
        try {
            GrpcEgressIT.exerciseThrough(ch);
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }

        // The egress originated the TLS to the gRPC server, and logged each call with the caller's identity.
        new AdminClient(egressAdmin).awaitBody("/stats/prometheus", b -> java.util.regex.Pattern
                .compile("envoy_cluster_ssl_handshake\\{envoy_cluster_name=\"mes-grpcs\"} [1-9]").matcher(b).find(), READY);
        awaitStdout(egress, "\"POST /test.Echo/Unary HTTP/2\" 200 ", "\"spiffe://default/web\" \"mes-grpcs\"");
        awaitStdout(egress, "\"POST /test.Echo/Count HTTP/2\" 200 ", "\"spiffe://default/web\" \"mes-grpcs\"");
        awaitStdout(egress, "\"POST /test.Echo/Fail HTTP/2\" 200 ", "\"spiffe://default/web\" \"mes-grpcs\"");
    }

    /** Waits (bounded) for a line of {@code p}'s stdout containing all of {@code parts}. */
    private static void awaitStdout(SallyportProcess p, String... parts) throws InterruptedException {
        assertThat(Await.until(() -> p.stdout().lines()
                .anyMatch(l -> java.util.Arrays.stream(parts).allMatch(l::contains)), READY))
                .as("a line with %s; stdout:%n%s", List.of(parts), p.stdout()).isTrue();
    }

    @Test
    void missingMeshIdentityIsAnArgumentError() throws Exception {
        String shared = SHARED.formatted(FreePorts.tcp(), FreePorts.tcp(), FreePorts.tcp(), FreePorts.tcp(),
                SallyportProcess.root().resolve("config-examples/certs/ca.crt"), dir.resolve("echo.sock"));
        Path sidecarConf = Files.createDirectories(dir.resolve("conf-sidecar"));
        Files.writeString(sidecarConf.resolve("web.yaml"), shared
                + dataplane("web", FreePorts.tcp(), FreePorts.tcp(), FreePorts.tcp(), FreePorts.tcp()));
        SallyportProcess.Exited sidecar = SallyportProcess.run(dir.resolve("logs"), Duration.ofSeconds(60),
                "run", "--config", sidecarConf.toString(), "--dns-enabled=false");
        assertThat(sidecar.exitCode()).as(sidecar.stderr()).isEqualTo(1);
        assertThat(sidecar.stderrLines()).containsExactly("sallyport run: MeshExternalService mes-tcp goes through the "
                + "zone egress (Mesh default has routing.zoneEgress and mTLS): give --mesh-ca, --identity-cert and "
                + "--identity-key");

        Path egressConf = Files.createDirectories(dir.resolve("conf-egress"));
        Files.writeString(egressConf.resolve("egress.yaml"), shared);
        SallyportProcess.Exited egress = SallyportProcess.run(dir.resolve("logs"), Duration.ofSeconds(60),
                "run", "--config", egressConf.toString(), "--proxy-type", "egress");
        assertThat(egress.exitCode()).as(egress.stderr()).isEqualTo(1);
        assertThat(egress.stderrLines()).containsExactly(
                "sallyport run: egress mode needs --mesh-ca, --identity-cert and --identity-key");
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
