package io.sallyport.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.testing.TestCertificates;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sallyport run} as a process: readiness, admin API, SIGTERM, argument and bind errors, reloads. */
class RunCommandIT {

    private static final Duration READY = Duration.ofSeconds(60);
    private static final Duration EXIT = Duration.ofSeconds(60);
    // Real material: validation parses certificates and checks the key belongs to them.
    private static final TestCertificates.Issued CLIENT = TestCertificates.builder("client").build();
    private static final String KEY_PEM = CLIENT.privateKeyPkcs8Pem();
    /** One base64 line of the private key: it must never show up in /config_dump. */
    private static final String KEY_TEXT = KEY_PEM.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    private static final String CERT_SECRET = java.util.Base64.getEncoder().encodeToString(
            CLIENT.certificatePem().getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    @TempDir
    Path dir;

    /** A Dataplane with its admin port, an outbound to a TCP MES, and two secrets (a Secret and an inline key). */
    static String config(int adminPort, int outboundPort, String mesName) {
        return """
                type: Dataplane
                name: app
                mesh: default
                networking:
                  address: 127.0.0.1
                  admin:
                    port: %d
                  outbound:
                    - port: %d
                      backendRef:
                        kind: MeshExternalService
                        name: %s
                ---
                type: MeshExternalService
                name: %s
                mesh: default
                spec:
                  match:
                    type: HostnameGenerator
                    port: 443
                    protocol: tcp
                  endpoints:
                    - address: 127.0.0.1
                      port: 8443
                  tls:
                    enabled: true
                    verification:
                      mode: SkipAll
                      clientCert:
                        secret: client-cert
                      clientKey:
                        inlineString: |
                %s
                ---
                type: Secret
                name: client-cert
                mesh: default
                data: %s
                """.formatted(adminPort, outboundPort, mesName, mesName, KEY_PEM.strip().indent(10).stripTrailing(),
                CERT_SECRET);
    }

    private Path writeConfig(String yaml) throws IOException {
        Path configs = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(configs.resolve("proxy.yaml"), yaml);
        return configs;
    }

    /**
     * Replaces {@code file} in one step (write a hidden temporary file, then rename), as editors and
     * config management do, so the watcher never reads a half-written file.
     */
    private static void replace(Path file, String yaml) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, yaml);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void servesAdminFromTheDataplaneAdminPortAndExits0OnSigterm() throws IOException {
        int admin = FreePorts.tcp();
        Path configs = writeConfig(config(admin, FreePorts.tcp(), "api"));
        try (SallyportProcess p = SallyportProcess.start(dir.resolve("logs"), "run", "--config", configs.toString())) {
            p.awaitReady(admin, READY);
            AdminClient client = new AdminClient(admin);
            assertThat(client.get("/ready").body()).isEqualTo("LIVE\n");

            HttpResponse<String> metrics = client.get("/stats/prometheus");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains(
                    "sallyport_config_reload_total{result=\"success\"} 0\n",
                    "envoy_server_live 1\n",
                    "jvm_memory_used_bytes", "jvm_gc_", "jvm_threads_live_threads", "process_cpu_usage",
                    "process_uptime_seconds");

            String dump = client.get("/config_dump").body();
            assertThat(dump).contains("\"kind\" : \"Secret\"", "\"data\" : \"[redacted]\"",
                    "\"inlineString\" : \"[redacted]\"", "\"secret\" : \"client-cert\"");
            assertThat(dump).doesNotContain(KEY_TEXT, CERT_SECRET.substring(0, 40), "PRIVATE KEY", "BEGIN CERTIFICATE");

            assertThat(client.get("/nope").statusCode()).isEqualTo(404);
            assertThat(client.get("/quitquitquit").statusCode()).isEqualTo(405);

            assertThat(p.stop(EXIT)).as(p.stderr()).isZero();
            assertThat(p.stderr()).contains("started: mode=dataplane", "admin=127.0.0.1:" + admin);
        }
    }

    @Test
    void quitquitquitExits0() throws IOException {
        int admin = FreePorts.tcp();
        Path configs = writeConfig(config(admin, FreePorts.tcp(), "api"));
        try (SallyportProcess p = SallyportProcess.start(dir.resolve("logs"), "run", "--config", configs.toString())) {
            p.awaitReady(admin, READY);
            assertThat(new AdminClient(admin).post("/quitquitquit").statusCode()).isEqualTo(200);
            assertThat(p.waitForExit(EXIT)).as(p.stderr()).isZero();
        }
    }

    @Test
    void anUnknownFlagIsOneLineAndExit1() throws IOException {
        Path configs = writeConfig(config(FreePorts.tcp(), FreePorts.tcp(), "api"));
        SallyportProcess.Exited r = SallyportProcess.run(dir.resolve("logs"), EXIT,
                "run", "--config", configs.toString(), "--no-such-flag");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderrLines()).containsExactly(
                "sallyport run: Unknown option: '--no-such-flag' (see 'sallyport run --help')");
    }

    @Test
    void anInvalidConfigIsExit1AndStartsNothing() throws IOException {
        int admin = FreePorts.tcp();
        Path configs = writeConfig(config(admin, 70000, "api"));
        SallyportProcess.Exited r = SallyportProcess.run(dir.resolve("logs"), EXIT,
                "run", "--config", configs.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderrLines()).singleElement().asString()
                .startsWith(configs.resolve("proxy.yaml") + ":9: Dataplane/app: networking.outbound[0].port: ");
    }

    @Test
    void anAdminPortInUseIsExit2() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int admin = taken.getLocalPort();
            Path configs = writeConfig(config(admin, FreePorts.tcp(), "api"));
            SallyportProcess.Exited r = SallyportProcess.run(dir.resolve("logs"), EXIT,
                    "run", "--config", configs.toString(), "--admin-address", "127.0.0.1:" + admin);
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.stderrLines()).containsExactly(
                    "sallyport: cannot bind admin address 127.0.0.1:" + admin + ": Address already in use");
        }
    }

    @Test
    void fileChangesAndSighupReloadAndAnInvalidChangeKeepsTheRunningConfig() throws IOException {
        int admin = FreePorts.tcp();
        int outbound = FreePorts.tcp();
        Path configs = writeConfig(config(admin, outbound, "api"));
        Path file = configs.resolve("proxy.yaml");
        try (SallyportProcess p = SallyportProcess.start(dir.resolve("logs"),
                "run", "--config", configs.toString(), "--admin-address", "127.0.0.1:" + admin)) {
            p.awaitReady(admin, READY);
            AdminClient client = new AdminClient(admin);
            Duration wait = Duration.ofSeconds(30);

            replace(file, config(admin, outbound, "api-v2"));
            String dump = client.awaitBody("/config_dump", b -> b.contains("\"generation\" : 2"), wait);
            assertThat(dump).contains("\"name\" : \"api-v2\"", "\"last_reload_error\" : null");

            replace(file, config(admin, 70000, "api-v3"));
            dump = client.awaitBody("/config_dump", b -> !b.contains("\"last_reload_error\" : null"), wait);
            assertThat(dump).contains("\"generation\" : 2", "\"name\" : \"api-v2\"",
                    "\"last_reload_error\" : \"" + file + ":9: Dataplane/app: networking.outbound[0].port: ");
            assertThat(client.get("/stats/prometheus").body())
                    .contains("sallyport_config_reload_total{result=\"failure\"} 1\n");
            assertThat(p.stderr()).contains("config reload (file change) rejected, keeping generation 2");

            replace(file, config(admin, outbound, "api-v4"));
            client.awaitBody("/config_dump", b -> b.contains("\"generation\" : 3"), wait);

            p.signal("HUP");
            dump = client.awaitBody("/config_dump", b -> b.contains("\"generation\" : 4"), wait);
            assertThat(dump).contains("\"trigger\" : \"SIGHUP\"", "\"last_reload_error\" : null");
            assertThat(client.get("/ready").statusCode()).isEqualTo(200);

            assertThat(p.stop(EXIT)).as(p.stderr()).isZero();
        }
    }
}
