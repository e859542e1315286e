package io.sallyport.sni.match;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable table, compiled once per snapshot, that picks the most specific rule for a connection
 * from its destination port, destination IP and server name (TLS SNI or HTTP {@code Host}/
 * {@code :authority}), with fallback to less specific rules.
 *
 * <h2>Rules</h2>
 * Each {@link Rule} has an optional port, an optional destination ({@link IpPrefix}: one address or a
 * CIDR, IPv4 or IPv6), an optional {@link ServerNamePattern} (exact, or {@code *.example.com} matching
 * any name that ends in {@code .example.com} at any depth but never {@code example.com} itself) and a
 * payload. A rule <em>matches</em> a connection when every field it has matches; an absent field
 * matches anything, including a connection without a server name. A rule with a server name never
 * matches a connection without one.
 *
 * <h2>Which matching rule wins</h2>
 * Every matching rule is ranked by a key of three levels, compared in this order (the first level that
 * differs decides; a higher key wins):
 * <ol>
 *   <li><b>port</b>: a rule with the exact port ranks above a port-less rule;</li>
 *   <li><b>destination</b>: a longer prefix ranks above a shorter one (a single address is the longest
 *       prefix, {@code /32} or {@code /128}), and any prefix ranks above a destination-less rule;</li>
 *   <li><b>server name</b>: an exact name ranks above every wildcard, a wildcard with a longer suffix
 *       above one with a shorter suffix, and any wildcard above a name-less rule.</li>
 * </ol>
 * This is Envoy's filter-chain order (destination port, then destination IP, then server names) with
 * one difference: Envoy commits to the most specific port and IP that <em>exist</em> and fails when
 * nothing inside them matches the name, whereas this matcher ranks only rules that match, so a miss at
 * a more specific level falls back to less specific candidates. For example, with a rule
 * {@code port 80, name api.example.com} and a rule {@code port 80, 10.0.0.0/8}: a connection to
 * {@code api.example.com} at 192.0.2.1:80 reaches the domain rule (the CIDR rule does not match); one
 * to 10.1.2.3:80 with an unknown name reaches the CIDR rule; and one to {@code api.example.com} at
 * 10.1.2.3:80 reaches the CIDR rule, because the destination level is compared before the name level.
 * When a rule with a name at an exact port misses, a port-less rule with a matching name is still
 * found.
 *
 * <p>Two rules with the same port, destination and server name have the same key; the one added first
 * wins and the later one is never returned.
 *
 * <h2>Cost</h2>
 * A lookup probes the exact port (binary search over the distinct ports), then the port-less rules;
 * in each, one hash probe per distinct prefix length present (from the longest), then the
 * destination-less rules; in each node it hashes the name once from the right, probing the wildcard
 * table at each dot. The cost is O(log ports + prefix lengths × name length), independent of the number
 * of names and addresses, and a lookup allocates nothing.
 *
 * <p>Instances are immutable and safe to share between threads.
 *
 * @param <T> the payload a rule carries (e.g. the filter chain to run)
 */
public final class ListenerMatcher<T> {

    private static final ListenerMatcher<?> EMPTY = new Builder<>().build();

    private final List<Rule<T>> rules;
    private final int[] ports;
    private final DestinationTable[] portTables;
    private final DestinationTable anyPort;

    private ListenerMatcher(List<Rule<T>> rules, int[] ports, DestinationTable[] portTables, DestinationTable anyPort) {
        this.rules = rules;
        this.ports = ports;
        this.portTables = portTables;
        this.anyPort = anyPort;
    }

    /** A new builder. */
    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /** A matcher without rules: every lookup misses. */
    @SuppressWarnings("unchecked")
    public static <T> ListenerMatcher<T> empty() {
        return (ListenerMatcher<T>) EMPTY;
    }

    /** The rules in the order they were added. */
    public List<Rule<T>> rules() {
        return rules;
    }

    /**
     * The payload of the most specific matching rule, or {@code null} when none matches.
     *
     * @param port        the destination port
     * @param address     the destination address, 4 or 16 bytes (IPv4-mapped IPv6 is compared as IPv4),
     *                    or {@code null} when unknown (then only destination-less rules match)
     * @param serverName  the SNI or HTTP host without port, or {@code null}; compared case-insensitively,
     *                    one trailing dot ignored
     */
    public T match(int port, byte[] address, CharSequence serverName) {
        Rule<T> rule = matchRule(port, address, serverName);
        return rule == null ? null : rule.payload();
    }

    /** {@link #match(int, byte[], CharSequence)} for an IPv4 destination given as an int (network order). */
    public T match(int port, int ipv4Address, CharSequence serverName) {
        Rule<T> rule = matchRule(port, ipv4Address, serverName);
        return rule == null ? null : rule.payload();
    }

    /**
     * {@link #matchRule(int, byte[], CharSequence)} for a destination socket address (its port and IP;
     * an unresolved address matches only destination-less rules). Copies the address bytes, so it
     * allocates 4 or 16 bytes; use the {@code byte[]} or {@code int} forms on the hottest paths.
     */
    public Rule<T> matchRule(java.net.InetSocketAddress destination, CharSequence serverName) {
        java.net.InetAddress address = destination.getAddress();
        return matchRule(destination.getPort(), address == null ? null : address.getAddress(), serverName);
    }

    /** The payload of {@link #matchRule(java.net.InetSocketAddress, CharSequence)}, or {@code null}. */
    public T match(java.net.InetSocketAddress destination, CharSequence serverName) {
        Rule<T> rule = matchRule(destination, serverName);
        return rule == null ? null : rule.payload();
    }

    /** The most specific matching rule, or {@code null}; see {@link #match(int, byte[], CharSequence)}. */
    public Rule<T> matchRule(int port, byte[] address, CharSequence serverName) {
        if (address == null) {
            return ruleAt(lookupNoAddress(port, serverName, nameLength(serverName)));
        }
        if (address.length == 4) {
            return matchRule(port, IpPrefix.readInt(address, 0), serverName);
        }
        if (address.length != 16) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes, was " + address.length);
        }
        if (IpPrefix.isIpv4Mapped(address)) {
            return matchRule(port, IpPrefix.readInt(address, 12), serverName);
        }
        long hi = IpPrefix.readLong(address, 0);
        long lo = IpPrefix.readLong(address, 8);
        int nameLength = nameLength(serverName);
        DestinationTable exact = portTable(port);
        int rule = exact == null ? -1 : exact.lookupV6(hi, lo, serverName, nameLength);
        if (rule < 0 && anyPort != null) {
            rule = anyPort.lookupV6(hi, lo, serverName, nameLength);
        }
        return ruleAt(rule);
    }

    /** {@link #matchRule(int, byte[], CharSequence)} for an IPv4 destination given as an int. */
    public Rule<T> matchRule(int port, int ipv4Address, CharSequence serverName) {
        int nameLength = nameLength(serverName);
        DestinationTable exact = portTable(port);
        int rule = exact == null ? -1 : exact.lookupV4(ipv4Address, serverName, nameLength);
        if (rule < 0 && anyPort != null) {
            rule = anyPort.lookupV4(ipv4Address, serverName, nameLength);
        }
        return ruleAt(rule);
    }

    private int lookupNoAddress(int port, CharSequence serverName, int nameLength) {
        DestinationTable exact = portTable(port);
        int rule = exact == null ? -1 : exact.lookupAny(serverName, nameLength);
        if (rule < 0 && anyPort != null) {
            rule = anyPort.lookupAny(serverName, nameLength);
        }
        return rule;
    }

    private DestinationTable portTable(int port) {
        int i = Arrays.binarySearch(ports, port);
        return i < 0 ? null : portTables[i];
    }

    private Rule<T> ruleAt(int index) {
        return index < 0 ? null : rules.get(index);
    }

    /** The name's length without one trailing dot ({@code example.com.} is {@code example.com}). */
    private static int nameLength(CharSequence name) {
        if (name == null) {
            return 0;
        }
        int length = name.length();
        return length > 1 && name.charAt(length - 1) == '.' ? length - 1 : length;
    }

    @Override
    public String toString() {
        return "ListenerMatcher{" + rules.size() + " rules}";
    }

    /**
     * One rule of the table.
     *
     * @param port        the destination port (1..65535), or {@code null} for any port
     * @param destination the destination address or CIDR, or {@code null} for any destination
     * @param serverName  the server name pattern, or {@code null} for any (or no) server name
     * @param payload     what the caller gets back when this rule wins; not null
     */
    public record Rule<T>(Integer port, IpPrefix destination, ServerNamePattern serverName, T payload) {
        public Rule {
            if (port != null && (port < 1 || port > 65535)) {
                throw new IllegalArgumentException("port must be 1..65535, was " + port);
            }
            Objects.requireNonNull(payload, "payload");
        }

        @Override
        public String toString() {
            return "Rule{port=" + (port == null ? "*" : port)
                    + ", destination=" + (destination == null ? "*" : destination)
                    + ", serverName=" + (serverName == null ? "*" : serverName)
                    + ", payload=" + payload + "}";
        }
    }

    /** Collects rules and compiles them into an immutable {@link ListenerMatcher}. */
    public static final class Builder<T> {
        private final List<Rule<T>> rules = new ArrayList<>();

        private Builder() {
        }

        /** Adds a rule. */
        public Builder<T> add(Rule<T> rule) {
            rules.add(Objects.requireNonNull(rule, "rule"));
            return this;
        }

        /**
         * Adds a rule from text.
         *
         * @param port        the port, or null for any
         * @param destination an IP literal or CIDR, or null for any
         * @param serverName  {@code name} or {@code *.suffix}, or null for any
         * @throws IllegalArgumentException when a field does not parse
         */
        public Builder<T> add(Integer port, String destination, String serverName, T payload) {
            return add(new Rule<>(port,
                    destination == null ? null : IpPrefix.parse(destination),
                    serverName == null ? null : ServerNamePattern.parse(serverName),
                    payload));
        }

        /** Compiles the rules added so far; the builder can be reused. */
        public ListenerMatcher<T> build() {
            List<Rule<T>> frozen = List.copyOf(rules);
            Map<Integer, PortNode> byPort = new HashMap<>();
            PortNode anyPortNode = null;
            for (int i = 0; i < frozen.size(); i++) {
                Rule<T> rule = frozen.get(i);
                PortNode node;
                if (rule.port() == null) {
                    node = anyPortNode == null ? (anyPortNode = new PortNode()) : anyPortNode;
                } else {
                    node = byPort.computeIfAbsent(rule.port(), p -> new PortNode());
                }
                NameNode names = rule.destination() == null
                        ? (node.anyDestination == null ? (node.anyDestination = new NameNode()) : node.anyDestination)
                        : node.prefixes.computeIfAbsent(rule.destination(), p -> new NameNode());
                names.add(rule.serverName(), i);
            }
            int[] ports = byPort.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
            DestinationTable[] tables = new DestinationTable[ports.length];
            for (int i = 0; i < ports.length; i++) {
                tables[i] = byPort.get(ports[i]).compile();
            }
            return new ListenerMatcher<>(frozen, ports, tables, anyPortNode == null ? null : anyPortNode.compile());
        }

        /** Compile-time view of one port's rules. */
        private static final class PortNode {
            final Map<IpPrefix, NameNode> prefixes = new LinkedHashMap<>();
            NameNode anyDestination;

            DestinationTable compile() {
                Map<IpPrefix, NameTable> compiled = new HashMap<>();
                prefixes.forEach((prefix, names) -> compiled.put(prefix, names.compile()));
                return new DestinationTable(compiled, anyDestination == null ? null : anyDestination.compile());
            }
        }

        /** Compile-time view of one (port, destination) node's names; the first rule for a key wins. */
        private static final class NameNode {
            final Map<String, Integer> exact = new HashMap<>();
            final Map<String, Integer> wildcards = new HashMap<>();
            int unnamed = -1;

            void add(ServerNamePattern pattern, int rule) {
                if (pattern == null) {
                    if (unnamed < 0) {
                        unnamed = rule;
                    }
                } else {
                    (pattern.wildcard() ? wildcards : exact).putIfAbsent(pattern.name(), rule);
                }
            }

            NameTable compile() {
                return new NameTable(exact, wildcards, unnamed);
            }
        }
    }
}
