package io.sallyport.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/sallyport}, the launcher the README runs: what its JVM flags give the product. */
class LauncherIT {

    private static final Duration READY = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /**
     * The transparent listener reads {@code SO_ORIGINAL_DST} through JNA. Started by the launcher, JNA loads
     * its library from what the build unpacked, so it works where it could not unpack it (a read-only root
     * file system, here a JNA temporary directory that cannot be created).
     */
    @Test
    void jnaLoadsItsUnpackedLibraryWithoutATemporaryDirectory() throws Exception {
        int admin = FreePorts.tcp();
        int redirect = FreePorts.tcp();
        Path config = ExampleConfigs.copy("passthrough", dir, Map.of(9910, admin));
        Path dataplane = config.resolve("dataplane.yaml");
        Files.writeString(dataplane, Files.readString(dataplane)
                .replace("redirectPortOutbound: 15001", "redirectPortOutbound: " + redirect));
        Path aFile = Files.writeString(dir.resolve("a-file"), "");
        String javaOpts = "-Djna.tmpdir=" + aFile.resolve("jna") + " -Dsallyport.transparent.bindAddress=127.0.0.1";
        try (SallyportProcess p = SallyportProcess.startLauncher(dir.resolve("logs"),
                Map.of("JAVA_OPTS", javaOpts, "SALLYPORT_CDS", "0"),
                "run", "--config", config.toString(), "--dns-enabled=false", "--drain-timeout=1s")) {
            p.awaitReady(admin, READY);
            // The start line names the address really bound.
            assertThat(p.stderr()).contains("127.0.0.1:" + redirect + " -> original destination");
            assertThat(p.stop(Duration.ofSeconds(20))).isZero();
            assertThat(p.stdout() + p.stderr()).doesNotContain("getsockopt unavailable");
        }
    }
}
