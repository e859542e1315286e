package io.sallyport.listeners.transparent;

import io.sallyport.core.cluster.ClusterStats;
import io.sallyport.core.config.MeshPassthrough;
import io.sallyport.core.config.MeshPassthrough.AppendMatch;
import io.sallyport.core.config.MeshPassthrough.MatchType;
import io.sallyport.core.config.Protocol;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.runtime.PassthroughSpec;
import io.sallyport.sni.match.ListenerMatcher;
import io.sallyport.sni.sniff.SniffedProtocol;
import java.util.Arrays;
import java.util.Objects;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PassthroughSpec} compiled once per snapshot into one {@link ListenerMatcher} per protocol
 * family, because the matcher has no protocol dimension and a rule must only catch the traffic its
 * {@code protocol} names:
 * <ul>
 *   <li><b>TLS</b> connections (a ClientHello, matched by SNI): {@code tls} rules and {@code tcp} rules;</li>
 *   <li><b>HTTP</b> connections (HTTP/1 or the HTTP/2 preface, matched by {@code Host}/{@code :authority}):
 *       {@code http}, {@code http2}, {@code grpc} rules and {@code tcp} rules;</li>
 *   <li><b>raw</b> TCP (anything else, no name): {@code tcp} rules.</li>
 * </ul>
 * {@code tcp} rules are IP/CIDR only (Kuma rejects a Domain with {@code tcp}), so they match every
 * protocol to their destination. Inside a family, the matcher's order decides: exact port, then any
 * port; exact IP, then longer prefixes; exact name, then longer wildcard suffixes; with fallback to less
 * specific rules when a more specific one does not match.
 *
 * <p>Immutable and safe to share between event loops; lookups allocate nothing.
 */
public final class PassthroughTable {

    private static final Logger log = LoggerFactory.getLogger(PassthroughTable.class);

    /** A table for mode {@code None}: nothing passes. */
    public static final PassthroughTable NONE = new PassthroughTable(MeshPassthrough.Mode.None,
            ListenerMatcher.empty(), ListenerMatcher.empty(), ListenerMatcher.empty(), new int[0], false, null, null);

    private final MeshPassthrough.Mode mode;
    private final ListenerMatcher<PassthroughRoute> tls;
    private final ListenerMatcher<PassthroughRoute> http;
    private final ListenerMatcher<PassthroughRoute> raw;
    private final int[] httpPorts;
    private final boolean httpOnEveryPort;
    private final PassthroughRoute allIpv4;
    private final PassthroughRoute allIpv6;

    private PassthroughTable(MeshPassthrough.Mode mode, ListenerMatcher<PassthroughRoute> tls,
                             ListenerMatcher<PassthroughRoute> http, ListenerMatcher<PassthroughRoute> raw,
                             int[] httpPorts, boolean httpOnEveryPort, PassthroughRoute allIpv4,
                             PassthroughRoute allIpv6) {
        this.mode = mode;
        this.tls = tls;
        this.http = http;
        this.raw = raw;
        this.httpPorts = httpPorts;
        this.httpOnEveryPort = httpOnEveryPort;
        this.allIpv4 = allIpv4;
        this.allIpv6 = allIpv6;
    }

    /**
     * Compiles {@code spec}; the meters of every route's cluster are registered in {@code stats}. An
     * entry whose value does not parse (the config reader rejects those first) is logged and skipped.
     */
    public static PassthroughTable compile(PassthroughSpec spec, Stats stats) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(stats, "stats");
        ListenerMatcher.Builder<PassthroughRoute> tls = ListenerMatcher.builder();
        ListenerMatcher.Builder<PassthroughRoute> http = ListenerMatcher.builder();
        ListenerMatcher.Builder<PassthroughRoute> raw = ListenerMatcher.builder();
        TreeSet<Integer> httpPorts = new TreeSet<>();
        boolean httpOnEveryPort = false;
        PassthroughRoute allIpv4 = null;
        PassthroughRoute allIpv6 = null;
        switch (spec.mode()) {
            case All -> {
                allIpv4 = route(null, "outbound:passthrough:ipv4", stats);
                allIpv6 = route(null, "outbound:passthrough:ipv6", stats);
            }
            case Matched -> {
                for (AppendMatch m : spec.matches()) {
                    PassthroughRoute route = route(m, PassthroughRoute.clusterName(m), stats);
                    String destination = m.type() == MatchType.Domain ? null : m.value();
                    String name = m.type() == MatchType.Domain ? m.value() : null;
                    try {
                        switch (m.protocol()) {
                            case TLS -> tls.add(m.port(), destination, name, route);
                            case HTTP, HTTP2, GRPC -> http.add(m.port(), destination, name, route);
                            case TCP -> {
                                if (name != null) {
                                    throw new IllegalArgumentException("a Domain match needs tls, http, http2 or grpc");
                                }
                                tls.add(m.port(), destination, null, route);
                                http.add(m.port(), destination, null, route);
                                raw.add(m.port(), destination, null, route);
                            }
                        }
                    } catch (IllegalArgumentException e) {
                        log.warn("MeshPassthrough appendMatch {} {} skipped: {}", m.type(), m.value(), e.getMessage());
                        continue;
                    }
                    if (m.protocol().isHttp()) {
                        if (m.port() == null) {
                            httpOnEveryPort = true;
                        } else {
                            httpPorts.add(m.port());
                        }
                    }
                }
            }
            case None -> {
                return NONE;
            }
        }
        return new PassthroughTable(spec.mode(), tls.build(), http.build(), raw.build(),
                httpPorts.stream().mapToInt(Integer::intValue).toArray(), httpOnEveryPort, allIpv4, allIpv6);
    }

    private static PassthroughRoute route(AppendMatch match, String clusterName, Stats stats) {
        return new PassthroughRoute(match, clusterName, ClusterStats.of(stats, clusterName));
    }

    public MeshPassthrough.Mode mode() {
        return mode;
    }

    /** The route of mode {@code All} for an IPv4 or IPv6 destination; {@code null} in other modes. */
    public PassthroughRoute all(boolean ipv6) {
        return ipv6 ? allIpv6 : allIpv4;
    }

    /**
     * The route of a sniffed connection in {@code Matched} mode, or {@code null} when no rule matches
     * (and always in the other modes).
     *
     * @param protocol what the connection speaks
     * @param port     the original destination port
     * @param address  the original destination address (4 or 16 bytes)
     * @param name     the SNI (TLS) or host (HTTP) without port, or {@code null}
     */
    public PassthroughRoute match(SniffedProtocol protocol, int port, byte[] address, String name) {
        ListenerMatcher<PassthroughRoute> matcher = switch (protocol) {
            case TLS -> tls;
            case HTTP1, HTTP2 -> http;
            case RAW -> raw;
        };
        return matcher.match(port, address, protocol == SniffedProtocol.RAW ? null : name);
    }

    /** Whether {@code port} carries an HTTP passthrough match (an unmatched host gets a 503 there). */
    public boolean isHttpPort(int port) {
        return httpOnEveryPort || Arrays.binarySearch(httpPorts, port) >= 0;
    }

    @Override
    public String toString() {
        return "PassthroughTable{" + mode + ", tls=" + tls + ", http=" + http + ", raw=" + raw + "}";
    }
}
