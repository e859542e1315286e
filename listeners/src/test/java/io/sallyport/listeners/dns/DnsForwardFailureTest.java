package io.sallyport.listeners.dns;

import static org.assertj.core.api.Assertions.assertThat;

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
        try (DatagramSocket u = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             ServerSocket t = new ServerSocket()) {
            t.bind(new InetSocketAddress("127.0.0.1", u.getLocalPort()));
            return new InetSocketAddress("127.0.0.1", u.getLocalPort());
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
    void noUpstreamAtAllGivesServfailAtOnce() throws Exception {
        try (DnsResponder r = new DnsResponder(new DnsResponder.Options(new InetSocketAddress("127.0.0.1", 0),
                List.of(), Duration.ofSeconds(2)), new Stats(), "242.0.0.0/8")) {
            r.apply(HostnameTable.EMPTY);
            ByteBuffer a = RawDns.udp(r.udpAddress(), RawDns.query(1, "example.test", 1, false), 1000);
            assertThat(RawDns.rcode(a)).isEqualTo(2);
        }
    }
}
