package io.sallyport.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NativeLibc} against the real C library. Starting a process copies every open socket into the child
 * until it execs (a listener closed then went on accepting), so binding must start none: checked in a mount
 * namespace where {@code /sbin/ldconfig}, which JNA otherwise runs, leaves a mark.
 */
class NativeLibcTest {

    @Test
    void bindsTheProcesssOwnLibc() {
        assertThat((long) NativeLibc.bind(NativeLibcProbe.Getpid.class).getpid()).isEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void bindingStartsNoProcess(@TempDir Path dir) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for a mount namespace");
        assumeTrue(Files.isExecutable(Path.of("/sbin/ldconfig")) && onPath("unshare") && onPath("mount"),
                "/sbin/ldconfig, unshare, mount");
        Path mark = dir.resolve("ldconfig-ran");
        Path fakeLdconfig = dir.resolve("ldconfig");
        Files.writeString(fakeLdconfig, "#!/bin/sh\ntouch '" + mark + "'\n");
        assertThat(fakeLdconfig.toFile().setExecutable(true)).isTrue();
        assumeTrue(inMountNamespace(fakeLdconfig, "true") == 0, "a mount namespace with a bind mount (unshare --mount)");

        // JNA left to itself runs ldconfig: the mark shows up, so its absence below means something.
        assertThat(probe(fakeLdconfig, "jna-default")).contains("pid ");
        assertThat(mark).exists();
        Files.delete(mark);

        assertThat(probe(fakeLdconfig, "native-libc")).contains("pid ");
        assertThat(mark).doesNotExist();
    }

    /** Runs {@link NativeLibcProbe} in a new mount namespace whose {@code /sbin/ldconfig} is {@code fake}. */
    private static String probe(Path fake, String mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = start(fake, java, "-cp", System.getProperty("java.class.path"), NativeLibcProbe.class.getName(), mode);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("probe finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /** Exit code of {@code command} run in a new mount namespace whose {@code /sbin/ldconfig} is {@code fake}. */
    private static int inMountNamespace(Path fake, String... command) throws Exception {
        Process p = start(fake, command);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static Process start(Path fake, String... command) throws IOException {
        List<String> argv = new ArrayList<>(List.of("unshare", "--mount", "sh", "-c",
                "mount --bind \"$0\" /sbin/ldconfig && exec \"$@\"", fake.toString()));
        argv.addAll(List.of(command));
        return new ProcessBuilder(argv).redirectErrorStream(true).start();
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
