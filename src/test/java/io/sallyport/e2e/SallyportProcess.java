package io.sallyport.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged {@code sallyport.jar} running as a child process ({@code java -jar}, Netty's leak detector at
 * PARANOID), with stdout and stderr captured to files. {@link #stop} sends SIGTERM ({@code Process.destroy()}
 * on Linux) and returns the exit code; every way of ending checks that the output reports no leak.
 */
public final class SallyportProcess implements AutoCloseable {

    private static final String PARANOID_LEAK_DETECTION = "-Dio.netty.leakDetection.level=paranoid";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private SallyportProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** The jar under test (system property {@code sallyport.jar}, set by the build). */
    public static Path jar() {
        String jar = System.getProperty("sallyport.jar");
        if (jar == null) {
            throw new IllegalStateException("system property sallyport.jar is not set; run through 'mvn verify'");
        }
        return Paths.get(jar);
    }

    /** The repository root (system property {@code sallyport.root}). */
    public static Path root() {
        return Paths.get(System.getProperty("sallyport.root", ".")).toAbsolutePath().normalize();
    }

    /** Starts {@code sallyport ARGS...}; output goes to files in {@code logDir}. */
    public static SallyportProcess start(Path logDir, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add(PARANOID_LEAK_DETECTION);
        command.add("-XX:+UseSerialGC");
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(Arrays.asList(args));
        return start(logDir, command, Map.of());
    }

    /**
     * Starts {@code bin/sallyport ARGS...}, the launcher users run, with {@code env} added to the environment
     * (for example {@code JAVA_OPTS}); output goes to files in {@code logDir}.
     */
    public static SallyportProcess startLauncher(Path logDir, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(root().resolve("bin").resolve("sallyport").toString());
        command.addAll(Arrays.asList(args));
        // The launcher's JVM runs without Netty's leak detector unless asked: these tests ask, as start() does.
        Map<String, String> withLeakDetection = new HashMap<>(env);
        withLeakDetection.merge("JAVA_OPTS", PARANOID_LEAK_DETECTION,
                (given, paranoid) -> given.contains("leakDetection") ? given : given + " " + paranoid);
        return start(logDir, command, withLeakDetection);
    }

    private static SallyportProcess start(Path logDir, List<String> command, Map<String, String> env) {
        try {
            Files.createDirectories(logDir);
            Path out = Files.createTempFile(logDir, "sallyport-", ".out");
            Path err = Files.createTempFile(logDir, "sallyport-", ".err");
            ProcessBuilder b = new ProcessBuilder(command);
            b.environment().putAll(env);
            Process p = b
                    .directory(root().toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Paths.get("/dev/null").toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            return new SallyportProcess(p, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command that ends by itself (validate, a rejected run) and returns its exit code and output. */
    public static Exited run(Path logDir, Duration timeout, String... args) {
        try (SallyportProcess p = start(logDir, args)) {
            int code = p.waitForExit(timeout);
            return new Exited(code, p.stdout(), p.stderr());
        }
    }

    /** How a finished process ended. */
    public record Exited(int exitCode, String stdout, String stderr) {
        /** The non-empty lines of stderr. */
        public List<String> stderrLines() {
            return stderr.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits until {@code GET /ready} on the admin port answers 200, polling briefly; fails (with the
     * process's stderr) if it exits first or {@code timeout} passes.
     */
    public void awaitReady(int adminPort, Duration timeout) {
        URI ready = URI.create("http://127.0.0.1:" + adminPort + "/ready");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("sallyport exited with " + process.exitValue() + " before /ready:\n" + stderr());
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            pause(50);
        }
        throw new AssertionError("sallyport not ready on port " + adminPort + " within " + timeout + ":\n" + stderr());
    }

    /** Sends a signal by name ({@code HUP}, {@code TERM}) with kill(1). */
    public void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).as("kill -%s finished", name).isTrue();
            assertThat(kill.exitValue()).as("kill -%s exit code", name).isZero();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** SIGTERM, then waits for the exit and returns its code. */
    public int stop(Duration timeout) {
        process.destroy(); // SIGTERM on Linux
        return waitForExit(timeout);
    }

    /** Waits for the process to end by itself and returns its exit code; asserts no leak was reported. */
    public int waitForExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("sallyport did not exit within " + timeout + ":\n" + stderr());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        assertNoLeaks();
        return process.exitValue();
    }

    /** Fails when Netty's leak detector reported anything on stdout or stderr. */
    public void assertNoLeaks() {
        assertThat(stderr()).as("leak reports on stderr").doesNotContain("LEAK:");
        assertThat(stdout()).as("leak reports on stdout").doesNotContain("LEAK:");
    }

    public String stdout() {
        return read(stdout);
    }

    public String stderr() {
        return read(stderr);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Kills the process if a test left it running. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
