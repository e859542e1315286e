package io.sallyport.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sallyport.testing.Await;
import io.sallyport.testing.EchoServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kuma's TCP MeshExternalService example through the packaged proxy with real tools: {@code nc -q} via the
 * Dataplane outbound port and via the VIP that {@code dig} gets from Sallyport's DNS responder; counters in
 * {@code /stats/prometheus}; access log lines on stdout; SIGTERM lets a live connection finish.
 */
class TcpEgressIT {

    private static final Duration READY = Duration.ofSeconds(60);
    private static EchoServer echo;

    @TempDir
    Path dir;

    @BeforeAll
    static void startEcho() {
        echo = EchoServer.tcp();
    }

    @AfterAll
    static void stopEcho() {
        echo.close();
    }

    /** The docs' example: a HostnameGenerator, a TCP MES on port 4242, and a Dataplane outbound to it. */
    private static String config(int adminPort, int outboundPort, int echoPort) {
        return """
                type: Dataplane
                name: app
                mesh: default
                networking:
                  address: 127.0.0.1
                  admin:
                    port: %d
                  outbound:
                    - port: %d
                      backendRef:
                        kind: MeshExternalService
                        name: mes-tcp
                ---
                type: HostnameGenerator
                name: example
                spec:
                  selector:
                    meshExternalService:
                      matchLabels:
                        kuma.io/origin: zone
                  template: "{{ .DisplayName }}.svc.meshext.local"
                ---
                type: MeshExternalService
                name: mes-tcp
                mesh: default
                spec:
                  match:
                    type: HostnameGenerator
                    port: 4242
                    protocol: tcp
                  endpoints:
                    - address: 127.0.0.1
                      port: %d
                """.formatted(adminPort, outboundPort, echoPort);
    }

    private static String shell(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(command).isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
        byte[] buf = new byte[text.length()];
        InputStream in = s.getInputStream();
        int off = 0;
        for (int n; off < buf.length && (n = in.read(buf, off, buf.length - off)) >= 0; ) {
            off += n;
        }
        return new String(buf, 0, off, StandardCharsets.UTF_8);
    }

    @Test
    void docsTcpExampleWithNcThroughOutboundAndVipThenSigtermDrains() throws Exception {
        int admin = FreePorts.tcp();
        int outbound = FreePorts.tcp();
        int dns = FreePorts.tcp();
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String vipCidr = "127." + r.nextInt(2, 255) + "." + r.nextInt(0, 256) + ".0/24";
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("tcp.yaml"), config(admin, outbound, echo.port()));

        try (SallyportProcess p = SallyportProcess.start(dir, "run", "--config", conf.toString(),
                "--dns-address", "127.0.0.1:" + dns, "--vip-cidr", vipCidr)) {
            p.awaitReady(admin, READY);

            // Via the outbound port.
            assertThat(shell("echo 'echo this' | nc -q 3 127.0.0.1 " + outbound)).isEqualTo("echo this\n");

            // Via the VIP, found with a real DNS query to Sallyport's responder.
            String vip = shell("dig @127.0.0.1 -p " + dns + " +short +time=2 +tries=1 mes-tcp.svc.meshext.local").trim();
            assertThat(vip).startsWith(vipCidr.substring(0, vipCidr.lastIndexOf('.')) + ".");
            assertThat(shell("echo 'echo this' | nc -q 3 " + vip + " 4242")).isEqualTo("echo this\n");

            AdminClient adminClient = new AdminClient(admin);
            adminClient.awaitBody("/stats/prometheus",
                    b -> b.contains("envoy_cluster_upstream_cx_total{envoy_cluster_name=\"mes-tcp\"} 2"), READY);
            String stats = adminClient.get("/stats/prometheus").body();
            assertThat(stats).contains("envoy_listener_downstream_cx_total{envoy_listener_address=\"127.0.0.1_"
                    + outbound + "\"} 1");
            assertThat(stats).contains("envoy_cluster_upstream_cx_tx_bytes_total{envoy_cluster_name=\"mes-tcp\"} 20");
            // Each line is written when its connection has ended, which the counter above does not wait for.
            assertThat(Await.until(() -> p.stdout().lines().filter(l -> l.contains("\"- - -\" 0 - 10 10 ")
                    && l.endsWith("\"127.0.0.1:" + echo.port() + "\"")).count() == 2, Duration.ofSeconds(10)))
                    .as("two access log lines; stdout:%n%s", p.stdout()).isTrue();

            // SIGTERM: no new connections, the live one keeps flowing until it ends, then exit 0.
            try (Socket live = new Socket()) {
                live.connect(new InetSocketAddress("127.0.0.1", outbound), 5000);
                live.setSoTimeout(10_000);
                assertThat(roundTrip(live, "before")).isEqualTo("before");
                p.signal("TERM");
                adminClient.awaitBody("/ready", b -> true, READY);
                awaitRefused(outbound);
                assertThat(p.isAlive()).isTrue();
                assertThat(roundTrip(live, "during drain")).isEqualTo("during drain");
            }
            assertThat(p.waitForExit(Duration.ofSeconds(20))).isZero();
        }
    }

    /** Polls until the listener refuses connections (the drain closed it), bounded. */
    private static void awaitRefused(int port) throws InterruptedException {
        Await.until(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return false;
            } catch (ConnectException refused) {
                return true;
            } catch (IOException other) {
                return false;
            }
        }, Duration.ofSeconds(20));
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }
}
