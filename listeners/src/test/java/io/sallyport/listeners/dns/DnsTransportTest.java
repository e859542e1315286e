package io.sallyport.listeners.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.core.hostname.HostnameTable;
import io.sallyport.core.metrics.Stats;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DnsTransportTest {

    static Stream<DnsTransport> transports() {
        DnsTransport best = DnsTransport.best();
        return best.isEpoll() ? Stream.of(best, DnsTransport.nio()) : Stream.of(best);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void servesAndForwardsOnEveryTransport(DnsTransport transport) throws Exception {
        HostnameTable table = HostnameTable.compile(DnsResponderTest.config("svc"), "242.0.0.0/8").table();
        try (StandInDnsServer upstream = new StandInDnsServer();
             DnsResponder r = new DnsResponder(new DnsResponder.Options(new InetSocketAddress("127.0.0.1", 0),
                     List.of(upstream.address()), Duration.ofSeconds(2)), new Stats(), s -> table, transport)) {
            r.apply(table);
            assertThat(r.tcpAddress().getPort()).isEqualTo(r.udpAddress().getPort());
            ByteBuffer local = RawDns.udp(r.udpAddress(), RawDns.query(1, "svc.svc.meshext.local", 1, false), 5000);
            assertThat(RawDns.answers(local)).isEqualTo(1);
            ByteBuffer fwd = RawDns.udp(r.udpAddress(), RawDns.query(2, "example.test", 1, false), 5000);
            assertThat(RawDns.answers(fwd)).isEqualTo(1);
            ByteBuffer[] tcp = RawDns.tcp(r.tcpAddress(), 5000, RawDns.query(3, "example.test", 1, false));
            assertThat(RawDns.answers(tcp[0])).isEqualTo(1);
            assertThat(upstream.tcpQueries.get()).isEqualTo(1);
        }
    }
}
