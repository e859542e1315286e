package io.sallyport.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.DataSource;
import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.config.MeshTimeout;
import io.sallyport.core.config.MeshTrafficPermission;
import io.sallyport.core.config.Origin;
import io.sallyport.core.config.Protocol;
import io.sallyport.core.config.ResourceMeta;
import io.sallyport.core.config.Secret;
import io.sallyport.core.runtime.ProxyType;
import io.sallyport.core.runtime.Snapshot;
import io.sallyport.core.runtime.SnapshotHolder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigDumpTest {

    private static final String PEM = "-----BEGIN PRIVATE KEY-----\nTOPSECRETKEYMATERIAL\n-----END PRIVATE KEY-----\n";

    private static ResourceMeta meta(String kind, String name) {
        return new ResourceMeta(kind, name, "default", null, Map.of("team", "payments"),
                new Origin("/etc/sallyport/mes.yaml", 7, Map.of()));
    }

    private static ConfigSet config() {
        MeshExternalService.Verification verification = new MeshExternalService.Verification(
                MeshExternalService.VerificationMode.Secured, "api.example.com", List.of(),
                new DataSource.FileRef("/etc/ca.pem"),
                new DataSource.Inline("TOPSECRETCERT".getBytes(StandardCharsets.US_ASCII)),
                new DataSource.InlineString(PEM));
        MeshExternalService mes = new MeshExternalService(meta("MeshExternalService", "api"),
                new MeshExternalService.Match(null, 443, Protocol.TCP),
                List.of(new MeshExternalService.Endpoint("api.example.com", 443, 0)),
                new MeshExternalService.Tls(true, null, false, verification), null);
        Secret secret = new Secret(meta("Secret", "client-key"), "TOPSECRETDATA".getBytes(StandardCharsets.US_ASCII));
        MeshTimeout timeout = new MeshTimeout(meta("MeshTimeout", "t"), List.of(new MeshTimeout.To(
                new MeshTrafficPermission.TargetRef("MeshExternalService", "api", null),
                new MeshTimeout.Timeouts(Duration.ofSeconds(5), Duration.ofMinutes(90), null, null, null))));
        return new ConfigSet(List.of(mes, secret, timeout));
    }

    @Test
    void everySecretValueIsRedactedAndTheRestIsShown() throws Exception {
        SnapshotHolder holder = new SnapshotHolder(new Snapshot(4, Instant.parse("2026-01-01T00:00:00Z"), config()));
        String json = new ConfigDump(ProxyType.DATAPLANE, List.of("/etc/sallyport"), () -> List.of("/etc/sallyport/mes.yaml")).render(holder);

        assertThat(json).doesNotContain("TOPSECRET").doesNotContain("BEGIN PRIVATE KEY");
        JsonNode root = new ObjectMapper().readTree(json);
        assertThat(root.get("generation").asLong()).isEqualTo(4);
        assertThat(root.get("proxy_type").asText()).isEqualTo("dataplane");
        assertThat(root.get("config_paths").get(0).asText()).isEqualTo("/etc/sallyport");
        assertThat(root.get("loaded_files").get(0).asText()).isEqualTo("/etc/sallyport/mes.yaml");
        assertThat(root.get("last_reload_error").isNull()).isTrue();
        assertThat(root.get("compiled").isObject()).isTrue();

        JsonNode mes = root.get("resources").get(0);
        assertThat(mes.get("kind").asText()).isEqualTo("MeshExternalService");
        assertThat(mes.get("labels").get("team").asText()).isEqualTo("payments");
        assertThat(mes.get("origin").asText()).isEqualTo("/etc/sallyport/mes.yaml:7");
        JsonNode v = mes.get("spec").get("tls").get("verification");
        assertThat(v.get("serverName").asText()).isEqualTo("api.example.com");
        assertThat(v.get("caCert").get("file").asText()).isEqualTo("/etc/ca.pem");
        assertThat(v.get("clientCert").get("inline").asText()).isEqualTo("[redacted]");
        assertThat(v.get("clientKey").get("inlineString").asText()).isEqualTo("[redacted]");
        assertThat(mes.get("spec").get("meta")).isNull();

        JsonNode secret = root.get("resources").get(1);
        assertThat(secret.get("spec").get("data").asText()).isEqualTo("[redacted]");

        JsonNode timeouts = root.get("resources").get(2).get("spec").get("to").get(0).get("timeouts");
        assertThat(timeouts.get("connectionTimeout").asText()).isEqualTo("5s");
        assertThat(timeouts.get("idleTimeout").asText()).isEqualTo("1h30m");
    }

    @Test
    void aRejectedReloadIsShownUntilOneSucceeds() throws Exception {
        SnapshotHolder holder = new SnapshotHolder(new Snapshot(1, Instant.now(), config()));
        ConfigDump dump = new ConfigDump(ProxyType.EGRESS, List.of("a.yaml"), () -> List.of("a.yaml"));
        holder.recordReload(new SnapshotHolder.ReloadOutcome(Instant.now(), "SIGHUP",
                List.of("a.yaml:3: MeshExternalService/api: spec.match.port: must be 1-65535")));
        JsonNode root = new ObjectMapper().readTree(dump.render(holder));
        assertThat(root.get("last_reload_error").asText())
                .isEqualTo("a.yaml:3: MeshExternalService/api: spec.match.port: must be 1-65535");
        assertThat(root.get("last_reload").get("result").asText()).isEqualTo("failure");
        assertThat(root.get("last_reload").get("trigger").asText()).isEqualTo("SIGHUP");

        holder.recordReload(new SnapshotHolder.ReloadOutcome(Instant.now(), "file change", List.of()));
        root = new ObjectMapper().readTree(dump.render(holder));
        assertThat(root.get("last_reload_error").isNull()).isTrue();
        assertThat(root.get("last_reload").get("result").asText()).isEqualTo("success");
        assertThat(holder.lastFailedReload().errors()).hasSize(1);
    }

    record Compiled(String name, java.security.PrivateKey key, Object engine, java.net.InetSocketAddress vip) { }

    @Test
    void keysAndUnknownObjectsAreNeverPrinted() throws Exception {
        java.security.KeyPair pair = java.security.KeyPairGenerator.getInstance("EC").generateKeyPair();
        Object opaque = new Object() {
            @Override
            public String toString() {
                return "TOPSECRET";
            }
        };
        JsonNode node = new RedactedJson().toJson(null,
                new Compiled("api", pair.getPrivate(), opaque, new java.net.InetSocketAddress("127.0.0.1", 80)));
        assertThat(node.get("name").asText()).isEqualTo("api");
        assertThat(node.get("key").asText()).isEqualTo("[redacted]");
        assertThat(node.get("engine").asText()).doesNotContain("TOPSECRET").startsWith("<");
        assertThat(node.get("vip").asText()).isEqualTo("127.0.0.1:80");
    }

    @Test
    void durationsUseKumaSpelling() {
        assertThat(RedactedJson.formatDuration(Duration.ZERO)).isEqualTo("0s");
        assertThat(RedactedJson.formatDuration(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(RedactedJson.formatDuration(Duration.ofHours(1))).isEqualTo("1h");
        assertThat(RedactedJson.formatDuration(Duration.ofSeconds(65))).isEqualTo("1m5s");
    }
}
