package io.sallyport.listeners.transparent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The transparent listener end to end, in a network namespace this test creates: iptables REDIRECTs
 * every TCP connection to 127.0.0.0/8 (except those to the redirect port and those carrying the
 * proxy's upstream socket mark) to the proxy, which runs in a child JVM
 * ({@link TransparentProxyProbe}) next to stand-in "external" servers on other loopback addresses.
 * Real clients ({@code nc}, {@code openssl s_client}, {@code curl}) dial those servers. Names resolve
 * through {@code /etc/netns/<ns>/hosts}, which {@code ip netns exec} mounts over {@code /etc/hosts}.
 */
class TransparentPassthroughInNamespaceTest {

    private static final int REDIRECT_PORT = 15001;
    private static final int MARK = 0x2a;
    private static final List<String> SERVERS = List.of(
            "tcp:127.0.0.11:7000", "tcp:127.0.0.30:7000", "tcp:127.0.0.31:7000", "tcp:127.0.1.5:7000",
            "tcp:127.0.0.50:7000", "tls:127.0.0.20:8443", "tls:127.0.0.21:8443", "tls:127.0.0.66:8443",
            "tcp:127.0.0.40:8080", "tcp:127.0.0.41:8080", "tcp:127.0.2.9:8080", "tcp6:7100", "tcp6:7101");

    private static String ns;
    private static Path hostsDir;
    private static Process probe;
    private static OutputStream probeIn;
    private static BlockingQueue<String> lines;
    private static String mode;

    @BeforeAll
    static void startNamespaceAndProxy() throws Exception {
        assumeTrue(OriginalDestination.nativeAvailable(), "libc getsockopt via JNA");
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for network namespaces");
        assumeTrue(onPath("ip") && onPath("iptables") && onPath("ip6tables") && onPath("nc") && onPath("openssl") && onPath("curl"),
                "ip, iptables, nc, openssl, curl");
        ns = "sp-tp-" + ProcessHandle.current().pid() + "-" + ThreadLocalRandom.current().nextInt(1_000_000);
        hostsDir = Path.of("/etc/netns", ns);
        Files.createDirectories(hostsDir);
        Files.writeString(hostsDir.resolve("hosts"), """
                127.0.0.1 localhost
                127.0.0.20 api.test
                127.0.0.21 a.b.wild.test
                127.0.0.40 web.test
                """);
        run("ip", "netns", "add", ns);
        run("ip", "-n", ns, "link", "set", "lo", "up");
        run("ip", "netns", "exec", ns, "iptables", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "-d", "127.0.0.0/8",
                "!", "--dport", String.valueOf(REDIRECT_PORT), "-m", "mark", "!", "--mark", String.valueOf(MARK),
                "-j", "REDIRECT", "--to-ports", String.valueOf(REDIRECT_PORT));
        run("ip", "netns", "exec", ns, "ip6tables", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "-d", "::1",
                "!", "--dport", String.valueOf(REDIRECT_PORT), "-m", "mark", "!", "--mark", String.valueOf(MARK),
                "-j", "REDIRECT", "--to-ports", String.valueOf(REDIRECT_PORT));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns, java,
                "-Dio.netty.leakDetection.level=paranoid", "-cp", System.getProperty("java.class.path"),
                TransparentProxyProbe.class.getName(), String.valueOf(MARK), String.valueOf(REDIRECT_PORT)));
        command.addAll(SERVERS);
        probe = new ProcessBuilder(command).redirectErrorStream(true).start();
        probeIn = probe.getOutputStream();
        lines = readLines(probe);
        nextMatching("READY");
    }

    @AfterAll
    static void stop() throws Exception {
        if (probe != null) {
            probeIn.close();
            String leaks = nextMatching("LEAKS");
            if (!probe.waitFor(10, TimeUnit.SECONDS)) {
                probe.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            assertThat(leaks).as("Netty leak reports of the proxy").isEqualTo("LEAKS []");
        }
        if (ns != null) {
            run("ip", "netns", "del", ns);
        }
        if (hostsDir != null) {
            Files.deleteIfExists(hostsDir.resolve("hosts"));
            Files.deleteIfExists(hostsDir);
        }
    }

    @Test
    void noneBlocksEverythingWithoutForwardingAByte() throws Exception {
        mode("None");
        long refusedBefore = noFilterChainMatch();
        int dialed = accepts("127.0.0.11:7000");
        backlog.removeIf(l -> l.startsWith("ACCESS"));
        assertThat(nc("127.0.0.11", 7000)).doesNotContain("server");
        assertThat(accepts("127.0.0.11:7000")).isEqualTo(dialed);
        assertThat(noFilterChainMatch()).isEqualTo(refusedBefore + 1);
        assertThat(nextMatching("ACCESS")).contains(" NR ");
    }

    @Test
    void allPassesToTheOriginalDestination() throws Exception {
        mode("All");
        assertThat(nc("127.0.0.11", 7000)).contains("server 127.0.0.11:7000");
        assertThat(curl("http://127.0.0.41:8080/", "whatever.test")).contains("server 127.0.0.41:8080");
    }

    @Test
    void matchedPassesOnlyWhatItListsByIpAndCidr() throws Exception {
        mode("Matched");
        assertThat(nc("127.0.0.30", 7000)).contains("server 127.0.0.30:7000");
        assertThat(nc("127.0.1.5", 7000)).contains("server 127.0.1.5:7000");
        long refusedBefore = noFilterChainMatch();
        assertThat(nc("127.0.0.31", 7000)).doesNotContain("server");
        assertThat(accepts("127.0.0.31:7000")).isZero();
        assertThat(noFilterChainMatch()).isEqualTo(refusedBefore + 1);
    }

    @Test
    void ipv6DestinationsAreRecoveredAndMatchedToo() throws Exception {
        mode("Matched");
        assertThat(nc("::1", 7100)).contains("server [::1]:7100");
        int dialed = accepts("[::1]:7101");
        assertThat(nc("::1", 7101)).doesNotContain("server");
        assertThat(accepts("[::1]:7101")).isEqualTo(dialed);
        mode("All");
        assertThat(nc("::1", 7101)).contains("server [::1]:7101");
    }

    @Test
    void aClientThatSendsNothingAndHalfClosesIsRoutedAsRawTcpAfterTheSniffTimeout() throws Exception {
        mode("Matched");
        // The stand-in answers once it reads end of stream: the half-close must reach it after routing.
        assertThat(client("", "nc", "-N", "-w", "5", "127.0.0.30", "7000")).contains("server 127.0.0.30:7000");
    }

    @Test
    void matchedRoutesTlsByExactAndWildcardSni() throws Exception {
        mode("Matched");
        assertThat(openssl("127.0.0.20", 8443, "api.test")).contains("server 127.0.0.20:8443");
        assertThat(openssl("127.0.0.21", 8443, "a.b.wild.test")).contains("server 127.0.0.21:8443");
        assertThat(openssl("127.0.0.20", 8443, "wild.test")).doesNotContain("server");
        assertThat(openssl("127.0.0.20", 8443, "evil.test")).doesNotContain("server");
    }

    @Test
    void aSpoofedSniGoesToTheDomainsOwnAddressNeverToTheDialedOne() throws Exception {
        mode("Matched");
        int before = accepts("127.0.0.66:8443");
        assertThat(openssl("127.0.0.66", 8443, "api.test")).contains("server 127.0.0.20:8443");
        assertThat(accepts("127.0.0.66:8443")).isEqualTo(before);
        int dialed = accepts("127.0.0.41:8080");
        assertThat(curl("http://127.0.0.41:8080/", "web.test")).contains("server 127.0.0.40:8080");
        assertThat(accepts("127.0.0.41:8080")).isEqualTo(dialed);
    }

    @Test
    void aDomainRuleIsStillFoundWhenTheDomainIsOutsideTheCidrOfTheSamePort() throws Exception {
        mode("Matched");
        // web.test resolves to 127.0.0.40, outside the CIDR rule 127.0.2.0/24 of port 8080.
        assertThat(curl("http://web.test:8080/", null)).contains("server 127.0.0.40:8080").contains("CODE 200");
        assertThat(curl("http://127.0.2.9:8080/", "other.test")).contains("server 127.0.2.9:8080");
    }

    @Test
    void anUnmatchedHostOnAnHttpPassthroughPortGets503NamingIt() throws Exception {
        mode("Matched");
        int dialed = accepts("127.0.0.41:8080");
        long refusedBefore = noFilterChainMatch();
        String out = curl("http://127.0.0.41:8080/", "unknown.test");
        assertThat(out).contains("CODE 503").contains("unknown.test");
        assertThat(accepts("127.0.0.41:8080")).isEqualTo(dialed);
        assertThat(noFilterChainMatch()).isEqualTo(refusedBefore + 1);
    }

    @Test
    void eachRequestOfOneHttpConnectionIsRoutedByItsOwnHost() throws Exception {
        mode("Matched");
        // One connection dialed to 127.0.0.41:8080 (no IP rule there): the web.test Domain rule, whose upstream
        // is web.test's own address (not the dialed one), then an unmatched host on the same connection.
        int dialed = accepts("127.0.0.41:8080");
        String out = client("GET /a HTTP/1.1\r\nHost: web.test:8080\r\n\r\n"
                        + "GET /b HTTP/1.1\r\nHost: unknown.test\r\nConnection: close\r\n\r\n",
                "nc", "-N", "-w", "3", "127.0.0.41", "8080");
        int matched = out.indexOf("server 127.0.0.40:8080");
        assertThat(matched).as(out).isGreaterThanOrEqualTo(0);
        assertThat(out).startsWith("HTTP/1.1 200");
        assertThat(out.indexOf("HTTP/1.1 503")).as(out).isGreaterThan(matched);
        assertThat(out).contains("no route for domain unknown.test");
        assertThat(accepts("127.0.0.41:8080")).isEqualTo(dialed);
    }

    @Test
    void aMeshExternalServiceVipIsReachedThroughTheTransparentListener() throws Exception {
        mode("Matched");
        assertThat(nc(TransparentProxyProbe.VIP, 9000)).contains("server 127.0.0.50:7000");
        mode("None");
        assertThat(nc(TransparentProxyProbe.VIP, 9000)).contains("server 127.0.0.50:7000");
    }

    @Test
    void anHttpMeshExternalServiceVipGetsTheHttpConnectionManager() throws Exception {
        mode("Matched");
        // The stand-in closes after each answer: a TCP relay would end the client's connection after the
        // first; the HTTP connection manager keeps it and opens a new upstream connection for the second.
        String out = client("GET /1 HTTP/1.1\r\nHost: vip-http\r\n\r\nGET /2 HTTP/1.1\r\nHost: vip-http\r\n\r\n",
                "nc", "-N", "-w", "3", TransparentProxyProbe.HTTP_VIP, "8081");
        assertThat(out.split("server 127.0.0.40:8080", -1)).as(out).hasSize(3);
    }

    private static void mode(String wanted) throws Exception {
        if (!wanted.equals(mode)) {
            command("MODE " + wanted);
            nextMatching("APPLIED " + wanted);
            mode = wanted;
        }
    }

    private static int accepts(String server) throws Exception {
        command("ACCEPTS " + server);
        String line = nextMatching("ACCEPTS " + server);
        return Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
    }

    private static long noFilterChainMatch() throws Exception {
        command("COUNTER envoy_listener_no_filter_chain_match envoy_listener_address 0.0.0.0_" + REDIRECT_PORT);
        String line = nextMatching("COUNTER");
        return Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
    }

    private static void command(String line) throws IOException {
        probeIn.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        probeIn.flush();
    }

    private static String nc(String host, int port) throws Exception {
        return client("ping\n", "nc", "-N", "-w", "3", host, String.valueOf(port));
    }

    private static String openssl(String host, int port, String sni) throws Exception {
        return client("ping\n", "openssl", "s_client", "-connect", host + ":" + port, "-servername", sni, "-quiet");
    }

    private static String curl(String url, String host) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-m", "5", "-w", "\nCODE %{http_code}\n"));
        if (host != null) {
            cmd.add("-H");
            cmd.add("Host: " + host);
        }
        cmd.add(url);
        return client("", cmd.toArray(String[]::new));
    }

    /** Runs a client inside the namespace with {@code input} on its stdin; its output, bounded in time. */
    private static String client(String input, String... command) throws Exception {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(command));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static BlockingQueue<String> readLines(Process process) {
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    queue.add(line);
                }
            } catch (IOException e) {
                queue.add("READ FAILED " + e);
            }
        }, "probe-output");
        reader.setDaemon(true);
        reader.start();
        return queue;
    }

    /** Lines read while looking for others, kept so a later search still finds them. */
    private static final List<String> backlog = new ArrayList<>();

    private static String nextMatching(String prefix) throws InterruptedException {
        for (var it = backlog.iterator(); it.hasNext(); ) {
            String line = it.next();
            if (line.startsWith(prefix)) {
                it.remove();
                return line;
            }
        }
        List<String> skipped = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                break;
            }
            if (line.startsWith(prefix)) {
                return line;
            }
            skipped.add(line);
            backlog.add(line);
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
