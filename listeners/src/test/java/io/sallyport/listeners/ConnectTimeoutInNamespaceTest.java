package io.sallyport.listeners;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connect timeout against an endpoint whose SYNs vanish: an iptables DROP rule inside a network
 * namespace this test creates (so the host's rules are untouched), with the proxy run inside it as a
 * child JVM ({@link ConnectTimeoutProbe}). Needs root and {@code ip}/{@code iptables}; skipped otherwise.
 */
class ConnectTimeoutInNamespaceTest {

    private static final int DROPPED_PORT = 5999;
    private static final long TIMEOUT_MILLIS = 1000;
    private static String namespace;

    @BeforeAll
    static void createNamespace() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for ip netns");
        assumeTrue(run(List.of("ip", "-V"), 10) == 0, "needs the ip tool");
        assumeTrue(run(List.of("iptables", "--version"), 10) == 0, "needs iptables");
        namespace = "sp-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        check(run(List.of("ip", "netns", "add", namespace), 10), "ip netns add");
        check(run(List.of("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up"), 10), "lo up");
        check(run(List.of("ip", "netns", "exec", namespace, "iptables", "-A", "OUTPUT", "-p", "tcp",
                "--dport", String.valueOf(DROPPED_PORT), "-j", "DROP"), 10), "iptables DROP");
    }

    @AfterAll
    static void deleteNamespace() throws Exception {
        if (namespace != null) {
            run(List.of("ip", "netns", "del", namespace), 10);
        }
    }

    @Test
    void connectTimeoutClosesTheClientAndCountsUf() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder("ip", "netns", "exec", namespace, java,
                "-cp", System.getProperty("java.class.path"),
                ConnectTimeoutProbe.class.getName(), String.valueOf(DROPPED_PORT), String.valueOf(TIMEOUT_MILLIS))
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("probe finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();

        Matcher m = Pattern.compile("RESULT read=(-?\\d+) elapsedMillis=(\\d+) connectTimeout=(\\d+) connectFail=(\\d+)"
                + " cxTotal=(\\d+) log=(.*)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        assertThat(Integer.parseInt(m.group(1))).as("nothing forwarded back").isLessThan(0);
        assertThat(Long.parseLong(m.group(2))).isBetween(TIMEOUT_MILLIS - 50, TIMEOUT_MILLIS + 3000);
        assertThat(m.group(3)).isEqualTo("1");
        assertThat(m.group(4)).isEqualTo("1");
        assertThat(m.group(5)).isEqualTo("1");
        assertThat(m.group(6)).contains("\"- - -\" 0 UF 0 0 ").endsWith("\"-\"");
    }

    private static int run(List<String> command, int seconds) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException missing) {
            return -1;
        }
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static void check(int rc, String what) {
        if (rc != 0) {
            throw new IllegalStateException(what + " failed with exit code " + rc);
        }
    }

}
