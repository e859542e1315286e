package io.sallyport.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sallyport validate} on good and bad configs: exit codes and the exact lines. */
class ValidateCommandIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    static final String GOOD = """
            type: Dataplane
            name: app
            mesh: default
            networking:
              address: 127.0.0.1
              admin:
                port: 9901
              outbound:
                - port: 10080
                  backendRef:
                    kind: MeshExternalService
                    name: api
            ---
            type: MeshExternalService
            name: api
            mesh: default
            spec:
              match:
                type: HostnameGenerator
                port: 80
                protocol: tcp
              endpoints:
                - address: 127.0.0.1
                  port: 8080
            """;

    static final String BAD = """
            type: MeshExternalService
            name: api
            mesh: default
            spec:
              match:
                type: HostnameGenerator
                port: 70000
                protocol: tcp
              endpoint:
                - address: 127.0.0.1
                  port: 8080
            """;

    @Test
    void aValidConfigExits0() throws IOException {
        Files.writeString(dir.resolve("good.yaml"), GOOD);
        SallyportProcess.Exited r = SallyportProcess.run(dir.resolve("logs"), TIMEOUT,
                "validate", "--config", dir.resolve("good.yaml").toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("valid: 2 resources\n");
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void anInvalidConfigExits1WithOneLinePerError() throws IOException {
        Path configs = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(configs.resolve("mes.yaml"), BAD);
        Files.writeString(configs.resolve("other.yaml"), "type: Bogus\nname: x\n");
        SallyportProcess.Exited r = SallyportProcess.run(dir.resolve("logs"), TIMEOUT,
                "validate", "--config", configs.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stdout()).isEmpty();
        String mes = configs.resolve("mes.yaml").toString();
        String other = configs.resolve("other.yaml").toString();
        assertThat(r.stderrLines()).containsExactly(
                mes + ":4: MeshExternalService/api: spec.endpoints: must have at least one endpoint",
                mes + ":7: MeshExternalService/api: spec.match.port: must be between 1 and 65535, got 70000",
                mes + ":9: MeshExternalService/api: spec.endpoint: unknown field \"endpoint\"; did you mean \"endpoints\"?",
                other + ":1: Bogus/x: type: unknown kind \"Bogus\"; expected one of MeshExternalService, "
                        + "HostnameGenerator, MeshPassthrough, Mesh, Dataplane, ZoneEgress, MeshTrafficPermission, "
                        + "MeshTimeout, Secret");
    }

    @Test
    void aMissingPathExits1() {
        Path missing = dir.resolve("missing.yaml");
        SallyportProcess.Exited r = SallyportProcess.run(dir.resolve("logs"), TIMEOUT,
                "validate", "--config", missing.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderrLines()).containsExactly(missing + ":0: -: -: no such file or directory");
    }

    private static boolean holdsYaml(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"));
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void everyShippedExampleValidates() throws IOException {
        Path examples = SallyportProcess.root().resolve("config-examples");
        List<Path> sets;
        try (Stream<Path> children = Files.list(examples)) {
            sets = children.filter(ValidateCommandIT::holdsYaml).sorted().toList();
        }
        assertThat(sets).as("example directories in %s", examples).isNotEmpty();
        for (Path set : sets) {
            SallyportProcess.Exited r = SallyportProcess.run(dir.resolve("logs"), TIMEOUT,
                    "validate", "--config", set.toString());
            assertThat(r.exitCode()).as("validate %s:\n%s", set, r.stderr()).isZero();
        }
    }
}
