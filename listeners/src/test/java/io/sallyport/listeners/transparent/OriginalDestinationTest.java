package io.sallyport.listeners.transparent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link OriginalDestination} against the kernel: a network namespace with iptables REDIRECT rules,
 * the probe server inside it, and {@code nc} clients dialing the "original" addresses.
 */
class OriginalDestinationTest {

    private static final int V4_PORT = 15001;
    private static final int V6_PORT = 15002;

    @Test
    void decodesSockaddrIn() {
        byte[] in = new byte[16];
        in[0] = 2; // AF_INET, little-endian host order
        in[2] = (byte) 0x1F;
        in[3] = (byte) 0x90; // 8080
        in[4] = 127;
        in[7] = 5;
        assumeTrue(java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(OriginalDestination.decode(in, 16)).isEqualTo(new InetSocketAddress("127.0.0.5", 8080));
        byte[] in6 = new byte[28];
        in6[0] = 10; // AF_INET6
        in6[2] = 0x01;
        in6[3] = (byte) 0xBB; // 443
        in6[23] = 1;
        assertThat(OriginalDestination.decode(in6, 28)).isEqualTo(new InetSocketAddress("::1", 443));
        assertThat(OriginalDestination.decode(in6, 16)).isNull();
        assertThat(OriginalDestination.decode(new byte[1], 1)).isNull();
    }

    @Test
    void recoversRedirectedIpv4AndIpv6DestinationsAndFallsBackToTheLocalAddress() throws Exception {
        assumeTrue(OriginalDestination.nativeAvailable(), "libc getsockopt via JNA");
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for network namespaces");
        assumeTrue(onPath("ip") && onPath("iptables") && onPath("ip6tables") && onPath("nc"), "ip, iptables, ip6tables, nc");
        String ns = "sp-od-" + ProcessHandle.current().pid() + "-" + ThreadLocalRandom.current().nextInt(1_000_000);
        run("ip", "netns", "add", ns);
        Process probe = null;
        try {
            run("ip", "-n", ns, "link", "set", "lo", "up");
            run("ip", "netns", "exec", ns, "iptables", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "-d", "127.0.0.5",
                    "-j", "REDIRECT", "--to-ports", String.valueOf(V4_PORT));
            run("ip", "netns", "exec", ns, "ip6tables", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "-d", "::1",
                    "--dport", "9443", "-j", "REDIRECT", "--to-ports", String.valueOf(V6_PORT));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            probe = new ProcessBuilder("ip", "netns", "exec", ns, java, "-cp", System.getProperty("java.class.path"),
                    OriginalDestinationProbe.class.getName(), String.valueOf(V4_PORT), String.valueOf(V6_PORT))
                    .redirectErrorStream(true).start();
            BlockingQueue<String> lines = readLines(probe);
            assertThat(nextMatching(lines, "READY")).isEqualTo("READY native=true");

            dial(ns, "127.0.0.5", 8080);
            assertThat(nextMatching(lines, "ACCEPTED"))
                    .isEqualTo("ACCEPTED 127.0.0.1:" + V4_PORT + " 127.0.0.5:8080 SO_ORIGINAL_DST");

            dial(ns, "::1", 9443);
            assertThat(nextMatching(lines, "ACCEPTED"))
                    .isEqualTo("ACCEPTED [::1]:" + V6_PORT + " [::1]:9443 SO_ORIGINAL_DST");

            // Not redirected: the destination is the listener itself, by either route.
            dial(ns, "127.0.0.1", V4_PORT);
            assertThat(nextMatching(lines, "ACCEPTED"))
                    .matches("ACCEPTED 127\\.0\\.0\\.1:" + V4_PORT + " 127\\.0\\.0\\.1:" + V4_PORT + " (SO_ORIGINAL_DST|LOCAL_ADDRESS)");
        } finally {
            if (probe != null) {
                probe.getOutputStream().close();
                if (!probe.waitFor(10, TimeUnit.SECONDS)) {
                    probe.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            run("ip", "netns", "del", ns);
        }
    }

    private static void dial(String ns, String host, int port) throws Exception {
        Process nc = new ProcessBuilder("ip", "netns", "exec", ns, "nc", "-N", "-w", "3", host, String.valueOf(port))
                .redirectErrorStream(true).start();
        nc.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
        nc.getOutputStream().close();
        if (!nc.waitFor(10, TimeUnit.SECONDS)) {
            nc.destroyForcibly();
        }
    }

    private static BlockingQueue<String> readLines(Process process) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("READ FAILED " + e);
            }
        }, "probe-output");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static String nextMatching(BlockingQueue<String> lines, String prefix) throws InterruptedException {
        List<String> skipped = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                break;
            }
            if (line.startsWith(prefix)) {
                return line;
            }
            skipped.add(line);
        }
        throw new AssertionError("no line starting with " + prefix + "; probe said: " + skipped);
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + output);
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }
}
