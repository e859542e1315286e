package io.sallyport.sni.match;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.util.NetUtil;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ListenerMatcherTest {

    /** One table of rules exercising every level; each case below names the rule it expects. */
    private static final ListenerMatcher<String> TABLE = ListenerMatcher.<String>builder()
            .add(443, null, "api.example.com", "443-exact-api")
            .add(443, null, "*.example.com", "443-wild-example")
            .add(443, null, "*.eu.example.com", "443-wild-eu-example")
            .add(443, null, "*.com", "443-wild-com")
            .add(443, "10.0.0.0/8", null, "443-cidr8")
            .add(443, "10.1.0.0/16", null, "443-cidr16")
            .add(443, "10.1.2.3", null, "443-ip")
            .add(443, "10.1.2.3", "secure.example.org", "443-ip-name")
            .add(443, "2001:db8::/32", null, "443-v6-cidr32")
            .add(443, "2001:db8:1::/48", null, "443-v6-cidr48")
            .add(443, "2001:db8:1::7", null, "443-v6-ip")
            .add(443, "2001:db8:2::/48", "*.v6.example.net", "443-v6-cidr48-wild")
            .add(null, null, "anyport.example.com", "any-exact-anyport")
            .add(null, "192.168.0.0/16", null, "any-cidr192")
            .add(null, null, "*.wiki.org", "any-wild-wiki")
            .add(8080, null, null, "8080-catchall")
            .build();

    static Stream<Arguments> table() {
        return Stream.of(
                // exact vs wildcard, depth, bare domain, longest suffix
                Arguments.of("exact wins over wildcard", 443, "203.0.113.9", "api.example.com", "443-exact-api"),
                Arguments.of("wildcard one level", 443, "203.0.113.9", "www.example.com", "443-wild-example"),
                Arguments.of("wildcard any depth", 443, "203.0.113.9", "a.b.c.example.com", "443-wild-example"),
                Arguments.of("longest suffix wins", 443, "203.0.113.9", "x.eu.example.com", "443-wild-eu-example"),
                Arguments.of("longest suffix wins, deeper", 443, "203.0.113.9", "y.x.eu.example.com", "443-wild-eu-example"),
                Arguments.of("bare domain never matches its wildcard", 443, "203.0.113.9", "eu.example.com", "443-wild-example"),
                Arguments.of("bare example.com falls to *.com", 443, "203.0.113.9", "example.com", "443-wild-com"),
                Arguments.of("bare com matches nothing on 443", 443, "203.0.113.9", "com", null),
                Arguments.of("suffix must be at a label boundary", 443, "203.0.113.9", "notexample.org", null),
                Arguments.of("case-insensitive exact", 443, "203.0.113.9", "API.Example.COM", "443-exact-api"),
                Arguments.of("case-insensitive wildcard", 443, "203.0.113.9", "WWW.EU.EXAMPLE.COM", "443-wild-eu-example"),
                Arguments.of("trailing dot ignored", 443, "203.0.113.9", "api.example.com.", "443-exact-api"),
                // IPv4: exact > longest CIDR > shorter CIDR > any
                Arguments.of("exact IP", 443, "10.1.2.3", null, "443-ip"),
                Arguments.of("exact IP beats name-only rule", 443, "10.1.2.3", "api.example.com", "443-ip"),
                Arguments.of("exact IP with its own name", 443, "10.1.2.3", "SECURE.example.org", "443-ip-name"),
                Arguments.of("longest CIDR /16", 443, "10.1.9.9", null, "443-cidr16"),
                Arguments.of("shorter CIDR /8", 443, "10.200.0.1", null, "443-cidr8"),
                Arguments.of("CIDR beats name (IP level first)", 443, "10.200.0.1", "api.example.com", "443-cidr8"),
                Arguments.of("outside all CIDRs falls to names", 443, "11.0.0.1", "api.example.com", "443-exact-api"),
                Arguments.of("no name, no IP rule", 443, "11.0.0.1", null, null),
                // IPv6
                Arguments.of("v6 exact", 443, "2001:db8:1::7", null, "443-v6-ip"),
                Arguments.of("v6 /48", 443, "2001:db8:1::8", null, "443-v6-cidr48"),
                Arguments.of("v6 /32", 443, "2001:db8:ffff::1", null, "443-v6-cidr32"),
                Arguments.of("v6 /48 with wildcard name", 443, "2001:db8:2::1", "a.v6.example.net", "443-v6-cidr48-wild"),
                Arguments.of("v6 /48 name miss falls back to /32", 443, "2001:db8:2::1", "other.net", "443-v6-cidr32"),
                Arguments.of("v6 outside falls back to names", 443, "2001:db9::1", "www.example.com", "443-wild-example"),
                Arguments.of("IPv4-mapped v6 compared as v4", 443, "::ffff:10.1.2.3", null, "443-ip"),
                // port-less rules and port fallback
                Arguments.of("port-less exact name on another port", 80, "203.0.113.9", "anyport.example.com", "any-exact-anyport"),
                Arguments.of("exact-port miss falls back to port-less", 443, "203.0.113.9", "anyport.example.com", "443-wild-example"),
                Arguments.of("exact-port name miss falls back to port-less wildcard", 443, "11.0.0.1", "en.wiki.org", "any-wild-wiki"),
                Arguments.of("port-less CIDR", 22, "192.168.4.4", null, "any-cidr192"),
                Arguments.of("port-less CIDR beats port-less name", 22, "192.168.4.4", "anyport.example.com", "any-cidr192"),
                Arguments.of("exact port catch-all beats port-less", 8080, "192.168.4.4", "anyport.example.com", "8080-catchall"),
                Arguments.of("unknown port no name", 9999, "203.0.113.9", null, null),
                Arguments.of("unknown address, name rules only", 443, null, "www.example.com", "443-wild-example"),
                Arguments.of("unknown address and no name", 443, null, null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void matchesTheMostSpecificRuleWithFallback(String description, int port, String ip, String name, String expected) {
        byte[] address = ip == null ? null : NetUtil.createByteArrayFromIpAddressString(ip);
        assertThat(TABLE.match(port, address, name)).as(description).isEqualTo(expected);
        if (address != null && address.length == 4) {
            assertThat(TABLE.match(port, IpPrefix.readInt(address, 0), name)).as(description + " (int)").isEqualTo(expected);
        }
    }

    @Test
    void domainRuleIsReachedWhenTheDestinationIsOutsideTheCidrOnTheSamePort() {
        // The case: Envoy picks the CIDR branch or nothing; we fall back.
        ListenerMatcher<String> m = ListenerMatcher.<String>builder()
                .add(80, null, "httpbin.org", "domain")
                .add(80, "10.250.0.0/16", null, "cidr")
                .build();
        assertThat(m.match(80, ip("203.0.113.10"), "httpbin.org")).isEqualTo("domain");
        assertThat(m.match(80, ip("10.250.3.4"), "unknown.example")).isEqualTo("cidr");
        assertThat(m.match(80, ip("10.250.3.4"), null)).isEqualTo("cidr");
        assertThat(m.match(80, ip("10.250.3.4"), "httpbin.org")).isEqualTo("cidr");
        assertThat(m.match(80, ip("203.0.113.10"), "other.org")).isNull();
        assertThat(m.match(81, ip("10.250.3.4"), "httpbin.org")).isNull();
    }

    @Test
    void nameRuleInsideACidrFallsBackToTheNameRuleOutsideIt() {
        // Envoy would commit to the CIDR branch (it has a filter chain for that IP) and fail on the name.
        ListenerMatcher<String> m = ListenerMatcher.<String>builder()
                .add(443, "10.0.0.0/8", "internal.example.com", "cidr-internal")
                .add(443, null, "*.example.com", "wildcard")
                .build();
        assertThat(m.match(443, ip("10.9.9.9"), "internal.example.com")).isEqualTo("cidr-internal");
        assertThat(m.match(443, ip("10.9.9.9"), "public.example.com")).isEqualTo("wildcard");
        assertThat(m.match(443, ip("10.9.9.9"), null)).isNull();
    }

    @Test
    void kumaDocumentedOrderingCases() {
        // Kuma's MeshPassthrough example: domains (exact + wildcard) with tls on 443, an IP and a CIDR on
        // other ports, an http domain on 80.
        ListenerMatcher<String> m = ListenerMatcher.<String>builder()
                .add(443, null, "httpbin.org", "tls-httpbin")
                .add(8888, "10.240.15.39", null, "tcp-ip")
                .add(10000, "10.250.0.0/16", null, "tcp-cidr")
                .add(443, null, "*.wikipedia.org", "tls-wikipedia")
                .add(80, null, "httpbin.dev", "http-httpbin-dev")
                .build();
        assertThat(m.match(443, ip("198.51.100.1"), "httpbin.org")).isEqualTo("tls-httpbin");
        assertThat(m.match(443, ip("198.51.100.1"), "en.wikipedia.org")).isEqualTo("tls-wikipedia");
        assertThat(m.match(443, ip("198.51.100.1"), "wikipedia.org")).isNull();
        assertThat(m.match(8888, ip("10.240.15.39"), null)).isEqualTo("tcp-ip");
        assertThat(m.match(8888, ip("10.240.15.40"), null)).isNull();
        assertThat(m.match(10000, ip("10.250.255.255"), "whatever")).isEqualTo("tcp-cidr");
        assertThat(m.match(80, ip("198.51.100.1"), "httpbin.dev")).isEqualTo("http-httpbin-dev");
        assertThat(m.match(80, ip("198.51.100.1"), "httpbin.org")).isNull();
    }

    @Test
    void firstOfTwoIdenticalRulesWins() {
        ListenerMatcher<String> m = ListenerMatcher.<String>builder()
                .add(443, "10.0.0.0/8", "a.example.com", "first")
                .add(443, "10.9.9.9/8", "A.EXAMPLE.COM.", "second")
                .build();
        assertThat(m.match(443, ip("10.1.1.1"), "a.example.com")).isEqualTo("first");
        assertThat(m.rules()).hasSize(2);
    }

    @Test
    void matchRuleReturnsTheWinningRule() {
        ListenerMatcher<String> m = ListenerMatcher.<String>builder().add(null, "::1", "*.x.test", "v6").build();
        ListenerMatcher.Rule<String> rule = m.matchRule(1, ip("::1"), "a.x.test");
        assertThat(rule).isNotNull();
        assertThat(rule.port()).isNull();
        assertThat(rule.destination()).hasToString("::1");
        assertThat(rule.serverName()).isEqualTo(new ServerNamePattern(".x.test", true));
        assertThat(m.matchRule(1, ip("::2"), "a.x.test")).isNull();
        assertThat(m.match(new java.net.InetSocketAddress("::1", 1), "b.x.test")).isEqualTo("v6");
        assertThat(m.match(java.net.InetSocketAddress.createUnresolved("a.x.test", 1), "b.x.test")).isNull();
    }

    @Test
    void zeroLengthPrefixesMatchEveryAddressOfTheirFamily() {
        ListenerMatcher<String> m = ListenerMatcher.<String>builder()
                .add(null, "0.0.0.0/0", null, "all-v4")
                .add(null, "::/0", null, "all-v6")
                .build();
        assertThat(m.match(1, ip("255.255.255.255"), null)).isEqualTo("all-v4");
        assertThat(m.match(1, ip("ffff::1"), null)).isEqualTo("all-v6");
        assertThat(m.match(1, (byte[]) null, null)).isNull();
    }

    @Test
    void emptyMatcherMissesEverything() {
        assertThat(ListenerMatcher.<String>empty().match(443, ip("10.0.0.1"), "a.b")).isNull();
    }

    @Test
    void rejectsBadRules() {
        ListenerMatcher.Builder<String> b = ListenerMatcher.builder();
        assertThatThrownBy(() -> b.add(443, null, "*w.example.com", "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("wildcard");
        assertThatThrownBy(() -> b.add(443, null, "*", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.add(443, null, "a.*.com", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.add(443, "10.0.0.0/33", null, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.add(443, "example.com", null, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an IP");
        assertThatThrownBy(() -> b.add(0, null, null, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.add(70000, null, null, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ListenerMatcher.<String>empty().match(1, new byte[5], null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cidrHostBitsAreCleared() {
        assertThat(IpPrefix.parse("10.1.2.3/8")).isEqualTo(IpPrefix.parse("10.0.0.0/8")).hasToString("10.0.0.0/8");
        assertThat(IpPrefix.parse("2001:db8::1/32")).hasToString("2001:db8::/32");
        assertThat(IpPrefix.parse("::ffff:10.0.0.0/104")).isEqualTo(IpPrefix.parse("10.0.0.0/8"));
        assertThat(IpPrefix.parse("10.0.0.0/8").contains(ip("10.255.0.1"))).isTrue();
        assertThat(IpPrefix.parse("10.0.0.0/8").contains(ip("::ffff:10.255.0.1"))).isTrue();
        assertThat(IpPrefix.parse("10.0.0.0/8").contains(ip("11.0.0.1"))).isFalse();
        assertThat(IpPrefix.parse("2001:db8::/127").contains(ip("2001:db8::1"))).isTrue();
        assertThat(IpPrefix.parse("2001:db8::/127").contains(ip("2001:db8::2"))).isFalse();
    }

    @Test
    void largeTablesStayCorrect() {
        ListenerMatcher.Builder<String> b = ListenerMatcher.builder();
        for (int i = 0; i < 20_000; i++) {
            b.add(1000 + i % 50, null, "host" + i + ".example.com", "exact" + i);
            b.add(1000 + i % 50, null, "*.zone" + i + ".example.com", "wild" + i);
            b.add(1000 + i % 50, "10." + (i >> 8 & 255) + "." + (i & 255) + ".0/24", null, "cidr" + i);
        }
        ListenerMatcher<String> m = b.build();
        for (int i = 0; i < 20_000; i += 97) {
            int port = 1000 + i % 50;
            assertThat(m.match(port, ip("192.0.2.1"), "HOST" + i + ".example.com")).isEqualTo("exact" + i);
            assertThat(m.match(port, ip("192.0.2.1"), "a.b.zone" + i + ".example.com")).isEqualTo("wild" + i);
            assertThat(m.match(port, ip("10." + (i >> 8 & 255) + "." + (i & 255) + ".77"), "x")).isEqualTo("cidr" + i);
            assertThat(m.match(port + 1 == 1050 ? 999 : port + 100, ip("192.0.2.1"), "host" + i + ".example.com")).isNull();
        }
    }

    private static byte[] ip(String text) {
        return NetUtil.createByteArrayFromIpAddressString(text);
    }
}
