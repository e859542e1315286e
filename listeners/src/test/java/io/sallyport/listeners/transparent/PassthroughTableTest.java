package io.sallyport.listeners.transparent;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.NetUtil;
import io.sallyport.core.config.MeshPassthrough;
import io.sallyport.core.config.MeshPassthrough.AppendMatch;
import io.sallyport.core.config.MeshPassthrough.MatchType;
import io.sallyport.core.config.Protocol;
import io.sallyport.core.config.ResourceMeta;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.runtime.PassthroughSpec;
import io.sallyport.sni.sniff.SniffedProtocol;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** MeshPassthrough compiled into per-protocol matchers: Kuma's ordering cases, fallback, protocol families. */
class PassthroughTableTest {

    private static final List<AppendMatch> RULES = List.of(
            new AppendMatch(MatchType.Domain, "api.example.com", 443, Protocol.TLS),
            new AppendMatch(MatchType.Domain, "*.example.com", 443, Protocol.TLS),
            new AppendMatch(MatchType.Domain, "*.eu.example.com", 443, Protocol.TLS),
            new AppendMatch(MatchType.Domain, "any-port.example.org", null, Protocol.TLS),
            new AppendMatch(MatchType.IP, "10.1.2.3", 443, Protocol.TLS),
            new AppendMatch(MatchType.CIDR, "10.1.0.0/16", 443, Protocol.TLS),
            new AppendMatch(MatchType.CIDR, "10.1.2.0/24", 443, Protocol.TLS),
            // Kuma's fallback case: a Domain rule and a CIDR rule on the same HTTP port.
            new AppendMatch(MatchType.Domain, "httpbin.org", 80, Protocol.HTTP),
            new AppendMatch(MatchType.CIDR, "192.168.0.0/16", 80, Protocol.HTTP),
            new AppendMatch(MatchType.IP, "172.16.0.5", 5432, Protocol.TCP),
            new AppendMatch(MatchType.CIDR, "172.17.0.0/16", null, Protocol.TCP),
            new AppendMatch(MatchType.Domain, "grpc.example.net", 9090, Protocol.GRPC));

    private static final PassthroughTable TABLE = PassthroughTable.compile(
            new PassthroughSpec(MeshPassthrough.Mode.Matched, RULES), new Stats());

    static Stream<Arguments> cases() {
        return Stream.of(
                // exact name beats wildcard; the longer wildcard suffix beats the shorter; any depth
                Arguments.of(SniffedProtocol.TLS, "198.51.100.1", 443, "api.example.com", "api.example.com"),
                Arguments.of(SniffedProtocol.TLS, "198.51.100.1", 443, "API.Example.COM.", "api.example.com"),
                Arguments.of(SniffedProtocol.TLS, "198.51.100.1", 443, "www.example.com", "*.example.com"),
                Arguments.of(SniffedProtocol.TLS, "198.51.100.1", 443, "a.b.c.example.com", "*.example.com"),
                Arguments.of(SniffedProtocol.TLS, "198.51.100.1", 443, "x.eu.example.com", "*.eu.example.com"),
                Arguments.of(SniffedProtocol.TLS, "198.51.100.1", 443, "example.com", null),
                Arguments.of(SniffedProtocol.TLS, "198.51.100.1", 8443, "api.example.com", null),
                // a port-less rule catches every port, also one that has rules of its own (fallback)
                Arguments.of(SniffedProtocol.TLS, "198.51.100.1", 443, "any-port.example.org", "any-port.example.org"),
                Arguments.of(SniffedProtocol.TLS, "198.51.100.1", 8443, "any-port.example.org", "any-port.example.org"),
                // exact IP beats the CIDRs around it, the longer prefix beats the shorter
                Arguments.of(SniffedProtocol.TLS, "10.1.2.3", 443, "unknown.test", "10.1.2.3"),
                Arguments.of(SniffedProtocol.TLS, "10.1.2.4", 443, "unknown.test", "10.1.2.0/24"),
                Arguments.of(SniffedProtocol.TLS, "10.1.9.9", 443, null, "10.1.0.0/16"),
                // the destination level is compared before the name level
                Arguments.of(SniffedProtocol.TLS, "10.1.9.9", 443, "api.example.com", "10.1.0.0/16"),
                // fallback: the domain's IP is outside the CIDR, the domain rule still matches
                Arguments.of(SniffedProtocol.HTTP1, "203.0.113.7", 80, "httpbin.org", "httpbin.org"),
                Arguments.of(SniffedProtocol.HTTP1, "192.168.3.4", 80, "other.test", "192.168.0.0/16"),
                Arguments.of(SniffedProtocol.HTTP1, "203.0.113.7", 80, "other.test", null),
                // protocol families: an HTTP rule never catches TLS, a TLS rule never catches HTTP
                Arguments.of(SniffedProtocol.TLS, "203.0.113.7", 80, "httpbin.org", null),
                Arguments.of(SniffedProtocol.HTTP1, "198.51.100.1", 443, "api.example.com", null),
                Arguments.of(SniffedProtocol.HTTP2, "198.51.100.1", 9090, "grpc.example.net", "grpc.example.net"),
                // raw TCP has no name: only IP/CIDR tcp rules
                Arguments.of(SniffedProtocol.RAW, "198.51.100.1", 443, null, null),
                Arguments.of(SniffedProtocol.RAW, "172.16.0.5", 5432, null, "172.16.0.5"),
                Arguments.of(SniffedProtocol.RAW, "172.16.0.5", 5433, null, null),
                // tcp rules match every protocol to their destination
                Arguments.of(SniffedProtocol.TLS, "172.16.0.5", 5432, "db.test", "172.16.0.5"),
                Arguments.of(SniffedProtocol.HTTP1, "172.17.1.1", 8080, "web.test", "172.17.0.0/16"),
                Arguments.of(SniffedProtocol.RAW, "172.17.1.1", 22, null, "172.17.0.0/16"),
                // IPv4-mapped IPv6 destinations compare as IPv4
                Arguments.of(SniffedProtocol.RAW, "::ffff:172.17.1.1", 22, null, "172.17.0.0/16"));
    }

    @ParameterizedTest(name = "{0} {1}:{2} {3} -> {4}")
    @MethodSource("cases")
    void matchesTheMostSpecificRuleWithFallback(SniffedProtocol protocol, String ip, int port, String name,
                                                String expectedValue) {
        String normalized = name == null ? null : name.toLowerCase(java.util.Locale.ROOT).replaceAll("\\.$", "");
        PassthroughRoute route = TABLE.match(protocol, port, NetUtil.createByteArrayFromIpAddressString(ip), normalized);
        if (expectedValue == null) {
            assertThat(route).isNull();
        } else {
            assertThat(route).isNotNull();
            assertThat(route.match().value()).isEqualTo(expectedValue);
        }
    }

    @Test
    void domainRoutesGoToTheDomainAndAddressRoutesToTheOriginalDestination() {
        byte[] outside = NetUtil.createByteArrayFromIpAddressString("203.0.113.7");
        assertThat(TABLE.match(SniffedProtocol.HTTP1, 80, outside, "httpbin.org").toDomain()).isTrue();
        assertThat(TABLE.match(SniffedProtocol.HTTP1, 80, NetUtil.createByteArrayFromIpAddressString("192.168.1.1"),
                "httpbin.org").toDomain()).isFalse();
        assertThat(TABLE.match(SniffedProtocol.TLS, 443, outside, "api.example.com").clusterName())
                .isEqualTo("meshpassthrough_tls_api.example.com_443");
    }

    @Test
    void httpPortsAreThoseOfHttpMatches() {
        assertThat(TABLE.isHttpPort(80)).isTrue();
        assertThat(TABLE.isHttpPort(9090)).isTrue();
        assertThat(TABLE.isHttpPort(443)).isFalse();
        PassthroughTable anyPort = PassthroughTable.compile(new PassthroughSpec(MeshPassthrough.Mode.Matched,
                List.of(new AppendMatch(MatchType.Domain, "a.test", null, Protocol.HTTP))), new Stats());
        assertThat(anyPort.isHttpPort(12345)).isTrue();
    }

    @Test
    void noneMatchesNothingAndAllHasOneRoutePerFamily() {
        byte[] ip = NetUtil.createByteArrayFromIpAddressString("172.16.0.5");
        PassthroughTable none = PassthroughTable.compile(new PassthroughSpec(MeshPassthrough.Mode.None, RULES), new Stats());
        assertThat(none.mode()).isEqualTo(MeshPassthrough.Mode.None);
        assertThat(none.match(SniffedProtocol.RAW, 5432, ip, null)).isNull();
        assertThat(none.all(false)).isNull();
        PassthroughTable all = PassthroughTable.compile(new PassthroughSpec(MeshPassthrough.Mode.All, RULES), new Stats());
        assertThat(all.match(SniffedProtocol.RAW, 5432, ip, null)).isNull();
        assertThat(all.all(false).clusterName()).isEqualTo("outbound:passthrough:ipv4");
        assertThat(all.all(true).clusterName()).isEqualTo("outbound:passthrough:ipv6");
        assertThat(all.all(false).toDomain()).isFalse();
    }

    @Test
    void severalDocumentsMergeTheirAppendMatchListsAndTheLastByNameSetsTheMode() {
        MeshPassthrough b = new MeshPassthrough(meta("b-second"), MeshPassthrough.Mode.Matched,
                List.of(new AppendMatch(MatchType.IP, "10.0.0.2", 80, Protocol.TCP),
                        new AppendMatch(MatchType.IP, "10.0.0.1", 80, Protocol.TCP)));
        MeshPassthrough a = new MeshPassthrough(meta("a-first"), MeshPassthrough.Mode.All,
                List.of(new AppendMatch(MatchType.IP, "10.0.0.1", 80, Protocol.TCP)));
        PassthroughSpec merged = PassthroughSpec.merge(List.of(b, a));
        assertThat(merged.mode()).isEqualTo(MeshPassthrough.Mode.Matched);
        assertThat(merged.matches()).extracting(AppendMatch::value).containsExactly("10.0.0.1", "10.0.0.2");
        assertThat(PassthroughSpec.merge(List.of())).isEqualTo(PassthroughSpec.NONE);
    }

    @Test
    void thePassthroughExampleCompilesToWhatItsReadmeSays() {
        var loaded = io.sallyport.core.config.ConfigLoader.load(List.of(java.nio.file.Path.of("../config-examples/passthrough")));
        assertThat(loaded.errors()).isEmpty();
        var compiled = io.sallyport.core.runtime.SnapshotCompiler.compile(loaded.config(),
                io.sallyport.core.runtime.RuntimeOptions.defaults(), 1);
        assertThat(compiled.errors()).isEmpty();
        var transparent = compiled.snapshot().transparent();
        assertThat(transparent.address().getPort()).isEqualTo(15001);
        assertThat(transparent.statsAddress()).isEqualTo("0.0.0.0_15001");
        assertThat(transparent.passthrough().mode()).isEqualTo(MeshPassthrough.Mode.Matched);
        PassthroughTable table = PassthroughTable.compile(transparent.passthrough(), new Stats());
        byte[] loopback = NetUtil.createByteArrayFromIpAddressString("127.0.0.1");
        byte[] other = NetUtil.createByteArrayFromIpAddressString("127.0.0.2");
        assertThat(table.match(SniffedProtocol.RAW, 18888, loopback, null).match().value()).isEqualTo("127.0.0.1");
        assertThat(table.match(SniffedProtocol.RAW, 18000, loopback, null).match().value()).isEqualTo("127.0.0.0/8");
        assertThat(table.match(SniffedProtocol.RAW, 18999, loopback, null)).isNull();
        assertThat(table.match(SniffedProtocol.HTTP1, 18680, loopback, "localhost").toDomain()).isTrue();
        assertThat(table.match(SniffedProtocol.HTTP1, 18680, loopback, "example.net")).isNull();
        assertThat(table.isHttpPort(18680)).isTrue();
        assertThat(table.match(SniffedProtocol.TLS, 18444, other, "localhost").toDomain()).isTrue();
        assertThat(table.match(SniffedProtocol.TLS, 18444, other, "app.localhost").match().value()).isEqualTo("*.localhost");
    }

    private static ResourceMeta meta(String name) {
        return io.sallyport.testing.TestResources.meta("MeshPassthrough", name);
    }

}
