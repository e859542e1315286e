package io.sallyport.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigWatcherTest {

    private static final Duration DEBOUNCE = Duration.ofMillis(100);

    @TempDir
    Path dir;

    @Test
    void aWatchedFileChangeIsReported() throws Exception {
        Path file = Files.writeString(dir.resolve("proxy.yaml"), "a: 1\n");
        Semaphore changes = new Semaphore(0);
        try (ConfigWatcher watcher = new ConfigWatcher(List.of(file), DEBOUNCE, changes::release)) {
            watcher.start();
            Files.writeString(file, "a: 2\n");
            assertThat(changes.tryAcquire(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aKubernetesConfigMapSwapIsReported() throws Exception {
        // kubelet layout: proxy.yaml -> ..data/proxy.yaml, ..data -> ..<timestamp>; an update renames ..data.
        Path v1 = Files.createDirectories(dir.resolve("..2026_01_01_v1"));
        Files.writeString(v1.resolve("proxy.yaml"), "a: 1\n");
        Files.createSymbolicLink(dir.resolve("..data"), dir.relativize(v1));
        Path file = Files.createSymbolicLink(dir.resolve("proxy.yaml"), Path.of("..data/proxy.yaml"));
        Semaphore changes = new Semaphore(0);
        try (ConfigWatcher watcher = new ConfigWatcher(List.of(file), DEBOUNCE, changes::release)) {
            watcher.start();
            Path v2 = Files.createDirectories(dir.resolve("..2026_01_01_v2"));
            Files.writeString(v2.resolve("proxy.yaml"), "a: 2\n");
            Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), dir.relativize(v2));
            Files.move(tmp, dir.resolve("..data"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            assertThat(changes.tryAcquire(20, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(file)).isEqualTo("a: 2\n");
        }
    }

    @Test
    void aNewYamlFileInAWatchedDirectoryIsReported() throws Exception {
        Semaphore changes = new Semaphore(0);
        try (ConfigWatcher watcher = new ConfigWatcher(List.of(dir), DEBOUNCE, changes::release)) {
            watcher.start();
            Files.writeString(dir.resolve("mes.yml"), "a: 1\n");
            assertThat(changes.tryAcquire(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void onlyConfigFilesAndKubernetesSwapsConcernTheWatcher() {
        assertThat(ConfigWatcher.concerns("mes.yaml", null)).isTrue();
        assertThat(ConfigWatcher.concerns("mes.yml", null)).isTrue();
        assertThat(ConfigWatcher.concerns(".mes.yaml.swp", null)).isFalse();
        assertThat(ConfigWatcher.concerns("4913", null)).isFalse();
        assertThat(ConfigWatcher.concerns("..data", null)).isTrue();
        assertThat(ConfigWatcher.concerns("proxy.yaml", Set.of("proxy.yaml"))).isTrue();
        assertThat(ConfigWatcher.concerns("other.yaml", Set.of("proxy.yaml"))).isFalse();
        assertThat(ConfigWatcher.concerns("..data", Set.of("proxy.yaml"))).isTrue();
    }
}
