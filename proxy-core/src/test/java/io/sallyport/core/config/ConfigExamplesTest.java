package io.sallyport.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every example set shipped in {@code config-examples/} loads and validates on its own. */
class ConfigExamplesTest {

    private static final Path EXAMPLES = Path.of("..", "config-examples");

    @TestFactory
    Stream<DynamicTest> everyExampleDirectoryValidates() throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            dirs = s.filter(Files::isDirectory).filter(ConfigExamplesTest::hasYaml).sorted().toList();
        }
        assertThat(dirs).extracting(d -> d.getFileName().toString()).contains(
                "quickstart", "tcp", "tcp-tls", "tcp-mtls", "http", "https", "grpc", "grpcs", "unix-socket",
                "passthrough", "zone-egress", "kubernetes");
        return dirs.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            LoadResult r = ConfigLoader.load(List.of(dir));
            assertThat(r.errors()).extracting(ConfigError::toString).isEmpty();
            assertThat(r.config().resources()).isNotEmpty();
            assertThat(r.config().all(Mesh.class)).hasSize(1);
            assertThat(dir.resolve("README.md")).isRegularFile();
        }));
    }

    @TestFactory
    Stream<DynamicTest> examplesCanRunSideBySide() throws IOException {
        // One load of every example at once: no two listeners may collide across examples.
        List<Path> dirs;
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            dirs = s.filter(Files::isDirectory).filter(ConfigExamplesTest::hasYaml).sorted().toList();
        }
        return Stream.of(DynamicTest.dynamicTest("no listener clashes", () -> {
            ConfigSet all = new ConfigSet(dirs.stream()
                    .flatMap(d -> ConfigLoader.load(List.of(d)).config().resources().stream()
                            .filter(r -> r instanceof Dataplane || r instanceof ZoneEgress))
                    .toList());
            assertThat(ConfigValidator.validate(all)).extracting(ConfigError::toString)
                    .filteredOn(e -> e.contains("clashes")).isEmpty();
        }));
    }

    private static boolean hasYaml(Path dir) {
        return !ConfigLoader.files(List.of(dir)).isEmpty();
    }
}
