package io.sallyport.listeners.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sallyport.core.hostname.HostnameTable;
import io.sallyport.core.metrics.Stats;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsForwardFailureTest {

    /** A loopback port nothing listens on (UDP and TCP), found by binding and closing. */
    private static InetSocketAddress deadAddress() throws Exception {
        // The UDP port's TCP twin may be taken by some other process: try a few UDP ports.
        for (int attempt = 0; ; attempt++) {
            try (DatagramSocket u = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                 ServerSocket t = new ServerSocket()) {
                t.bind(new InetSocketAddress("127.0.0.1", u.getLocalPort()));
                return new InetSocketAddress("127.0.0.1", u.getLocalPort());
            } catch (java.net.BindException e) {
                if (attempt == 20) {
                    throw e;
                }
            }
        }
    }

    @Test
    void deadUpstreamGivesServfailWithinTheTimeout() throws Exception {
        Stats stats = new Stats();
        try (DnsResponder r = new DnsResponder(new DnsResponder.Options(new InetSocketAddress("127.0.0.1", 0),
                List.of(deadAddress()), Duration.ofMillis(300)), stats, "242.0.0.0/8")) {
            r.apply(HostnameTable.EMPTY);
            long start = System.nanoTime();
            ByteBuffer a = RawDns.udp(r.udpAddress(), RawDns.query(5, "example.test", 1, true), 5000);
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(RawDns.id(a)).isEqualTo(5);
            assertThat(RawDns.rcode(a)).isEqualTo(2);
            assertThat(elapsedMillis).isBetween(250L, 3000L);
            ByteBuffer[] t = RawDns.tcp(r.tcpAddress(), 5000, RawDns.query(6, "example.test", 1, false));
            assertThat(RawDns.id(t[0])).isEqualTo(6);
            assertThat(RawDns.rcode(t[0])).isEqualTo(2);
            assertThat(stats.counterValue("sallyport_dns_queries_total", "result", "servfail")).isEqualTo(2);
        }
    }

    @Test
    void aDeadFirstUpstreamFallsThroughToTheNext() throws Exception {
        try (StandInDnsServer alive = new StandInDnsServer();
             DnsResponder r = new DnsResponder(new DnsResponder.Options(new InetSocketAddress("127.0.0.1", 0),
                     List.of(deadAddress(), alive.address()), Duration.ofMillis(1500)), new Stats(), "242.0.0.0/8")) {
            r.apply(HostnameTable.EMPTY);
            ByteBuffer a = RawDns.udp(r.udpAddress(), RawDns.query(8, "example.test", 1, false), 5000);
            assertThat(RawDns.rcode(a)).isZero();
            assertThat(RawDns.answers(a)).isEqualTo(1);
            ByteBuffer[] t = RawDns.tcp(r.tcpAddress(), 5000, RawDns.query(9, "example.test", 1, false));
            assertThat(RawDns.answers(t[0])).isEqualTo(1);
        }
    }

    @Test
    void aTakenPortIsAClearErrorAndNothingStaysBound() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DnsResponder r = new DnsResponder(new DnsResponder.Options(
                     new InetSocketAddress("127.0.0.1", taken.getLocalPort()), List.of(), Duration.ofSeconds(2)),
                     new Stats(), "242.0.0.0/8")) {
            assertThatThrownBy(() -> r.apply(HostnameTable.EMPTY))
                    .isInstanceOf(java.io.IOException.class)
                    .hasMessageStartingWith("cannot bind the DNS responder to 127.0.0.1:" + taken.getLocalPort()
                            + " (UDP): ");
            assertThat(r.udpAddress()).isNull();
        }
    }

    @Test
    void drainStopsListeningAndClosesIdleTcpClientsAfterTheTimeout() throws Exception {
        try (DnsResponder r = new DnsResponder(new DnsResponder.Options(new InetSocketAddress("127.0.0.1", 0),
                List.of(), Duration.ofSeconds(2)), new Stats(), "242.0.0.0/8");
             java.net.Socket client = new java.net.Socket()) {
            r.apply(HostnameTable.EMPTY);
            InetSocketAddress addr = r.tcpAddress();
            client.connect(addr, 5000);
            client.setSoTimeout(5000);
            RawDns.tcp(addr, 5000, RawDns.query(1, "x.test", 1, false)); // the server is up
            java.util.concurrent.CompletableFuture<Void> drained = r.drain(Duration.ofMillis(200));
            drained.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            try (java.net.ServerSocket again = new java.net.ServerSocket()) {
                again.bind(addr); // the listening socket is gone
            }
        }
    }

    @Test
    void answersWithTheWrongIdOrQuestionAreIgnored() throws Exception {
        Stats stats = new Stats();
        try (DatagramSocket liar = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DnsResponder r = new DnsResponder(new DnsResponder.Options(new InetSocketAddress("127.0.0.1", 0),
                     // 2 s: both forged answers must arrive before the forward times out, on a loaded machine too.
                     List.of((InetSocketAddress) liar.getLocalSocketAddress()), Duration.ofSeconds(2)),
                     stats, "242.0.0.0/8")) {
            r.apply(HostnameTable.EMPTY);
            java.util.concurrent.CompletableFuture<ByteBuffer> answer = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> {
                        try {
                            return RawDns.udp(r.udpAddress(), RawDns.query(11, "example.test", 1, false), 5000);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            liar.setSoTimeout(5000);
            java.net.DatagramPacket in = new java.net.DatagramPacket(new byte[512], 512);
            liar.receive(in);
            byte[] q = java.util.Arrays.copyOf(in.getData(), in.getLength());
            byte[] wrongId = q.clone();
            wrongId[2] = (byte) 0x81;
            wrongId[1] ^= 1;
            liar.send(new java.net.DatagramPacket(wrongId, wrongId.length, in.getSocketAddress()));
            byte[] wrongQuestion = q.clone();
            wrongQuestion[2] = (byte) 0x81;
            wrongQuestion[13] = 'X'; // "example" becomes "Xxample"
            liar.send(new java.net.DatagramPacket(wrongQuestion, wrongQuestion.length, in.getSocketAddress()));
            ByteBuffer a = answer.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(RawDns.id(a)).isEqualTo(11);
            assertThat(RawDns.rcode(a)).as("no forged answer is relayed").isEqualTo(2);
            assertThat(stats.counterValue("sallyport_dns_upstream_unmatched_total")).isEqualTo(2);
        }
    }

    @Test
    void noUpstreamAtAllGivesServfailAtOnce() throws Exception {
        try (DnsResponder r = new DnsResponder(new DnsResponder.Options(new InetSocketAddress("127.0.0.1", 0),
                List.of(), Duration.ofSeconds(2)), new Stats(), "242.0.0.0/8")) {
            r.apply(HostnameTable.EMPTY);
            ByteBuffer a = RawDns.udp(r.udpAddress(), RawDns.query(1, "example.test", 1, false), 1000);
            assertThat(RawDns.rcode(a)).isEqualTo(2);
        }
    }
}
