package io.sallyport.sni.match;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Compares the compiled matcher with the ranking its Javadoc defines, computed by brute force: among
 * all rules that match, the highest (port exact?, prefix length or -1, name rank), first added on ties.
 */
class ListenerMatcherReferenceTest {

    private static final Integer[] PORTS = {null, 80, 443, 8080};
    private static final String[] DESTINATIONS = {null, null, "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3",
        "10.2.0.0/15", "0.0.0.0/0", "192.168.1.1", "2001:db8::/32", "2001:db8:1::/48", "2001:db8:1::1", "::/0"};
    private static final String[] NAMES = {null, null, "a.example.com", "*.example.com", "*.b.example.com",
        "b.example.com", "*.com", "x.b.example.com", "*.example.org", "example.org"};
    private static final String[] QUERY_ADDRESSES = {"10.1.2.3", "10.1.2.4", "10.1.9.9", "10.3.0.1", "10.2.255.1",
        "192.168.1.1", "172.16.0.1", "2001:db8:1::1", "2001:db8:1::2", "2001:db8:2::1", "2001:dead::1",
        "::ffff:10.1.2.3"};
    private static final String[] QUERY_NAMES = {null, "a.example.com", "A.EXAMPLE.COM", "b.example.com",
        "x.b.example.com", "y.x.b.example.com", "example.com", "q.example.com", "com", "www.example.org",
        "example.org", "other.net"};

    @Test
    void compiledMatcherAgreesWithTheDefinedRanking() {
        Random random = new Random(20261121);
        for (int table = 0; table < 150; table++) {
            List<ListenerMatcher.Rule<Integer>> rules = new ArrayList<>();
            ListenerMatcher.Builder<Integer> builder = ListenerMatcher.builder();
            int size = 1 + random.nextInt(25);
            for (int i = 0; i < size; i++) {
                String destination = DESTINATIONS[random.nextInt(DESTINATIONS.length)];
                String name = NAMES[random.nextInt(NAMES.length)];
                ListenerMatcher.Rule<Integer> rule = new ListenerMatcher.Rule<>(PORTS[random.nextInt(PORTS.length)],
                        destination == null ? null : IpPrefix.parse(destination),
                        name == null ? null : ServerNamePattern.parse(name), i);
                rules.add(rule);
                builder.add(rule);
            }
            ListenerMatcher<Integer> matcher = builder.build();
            for (int port : new int[] {80, 443, 8080, 22}) {
                for (String address : QUERY_ADDRESSES) {
                    for (String name : QUERY_NAMES) {
                        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
                        Integer expected = reference(rules, port, bytes, name);
                        assertThat(matcher.match(port, bytes, name))
                                .as("table %d %s; query %d %s %s", table, rules, port, address, name)
                                .isEqualTo(expected);
                    }
                }
            }
        }
    }

    private static Integer reference(List<ListenerMatcher.Rule<Integer>> rules, int port, byte[] address, String name) {
        ListenerMatcher.Rule<Integer> best = null;
        int[] bestKey = null;
        for (ListenerMatcher.Rule<Integer> rule : rules) {
            if (rule.port() != null && rule.port() != port) {
                continue;
            }
            if (rule.destination() != null && !rule.destination().contains(address)) {
                continue;
            }
            int nameRank = nameRank(rule.serverName(), name);
            if (nameRank == Integer.MIN_VALUE) {
                continue;
            }
            int[] key = {rule.port() == null ? 0 : 1, rule.destination() == null ? -1 : rule.destination().length(), nameRank};
            if (bestKey == null || compare(key, bestKey) > 0) {
                best = rule;
                bestKey = key;
            }
        }
        return best == null ? null : best.payload();
    }

    /** Exact: MAX_VALUE; wildcard: its suffix length; none: -1; no match: MIN_VALUE. */
    private static int nameRank(ServerNamePattern pattern, String name) {
        if (pattern == null) {
            return -1;
        }
        if (name == null) {
            return Integer.MIN_VALUE;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (!pattern.wildcard()) {
            return lower.equals(pattern.name()) ? Integer.MAX_VALUE : Integer.MIN_VALUE;
        }
        return lower.endsWith(pattern.name()) && lower.length() > pattern.name().length()
                ? pattern.name().length() : Integer.MIN_VALUE;
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }
}
