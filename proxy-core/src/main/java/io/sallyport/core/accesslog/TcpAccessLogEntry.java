package io.sallyport.core.accesslog;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * What the access log records about one TCP connection.
 *
 * @param bytesReceived bytes read from the downstream client
 * @param bytesSent     bytes written to the downstream client
 * @param upstreamHost  the upstream address used, {@code null} when none was connected
 * @param upstreamTransportFailureReason why the upstream transport (TLS) could not be set up, e.g.
 *                      {@code san_mismatch}, as Envoy's {@code %UPSTREAM_TRANSPORT_FAILURE_REASON%};
 *                      {@code null} when none
 * @param downstreamPeerUriSan the client certificate's URI SAN (the caller's SPIFFE ID at the zone
 *                             egress), {@code null} when the client was not authenticated
 */
public record TcpAccessLogEntry(
        Instant startTime, long durationMillis, Set<ResponseFlag> flags, long bytesReceived, long bytesSent,
        String upstreamHost, String upstreamCluster, String downstreamRemoteAddress, String downstreamLocalAddress,
        String listener, String upstreamTransportFailureReason, String downstreamPeerUriSan) {

    private static final ResponseFlag[] FLAG_ORDER = ResponseFlag.values();

    public TcpAccessLogEntry {
        Objects.requireNonNull(startTime, "startTime");
        flags = Set.copyOf(flags);
    }

    /** An entry without a transport failure reason. */
    public TcpAccessLogEntry(Instant startTime, long durationMillis, Set<ResponseFlag> flags, long bytesReceived,
                             long bytesSent, String upstreamHost, String upstreamCluster,
                             String downstreamRemoteAddress, String downstreamLocalAddress, String listener) {
        this(startTime, durationMillis, flags, bytesReceived, bytesSent, upstreamHost, upstreamCluster,
                downstreamRemoteAddress, downstreamLocalAddress, listener, null, null);
    }

    /** An entry of a client that did not authenticate with a certificate. */
    public TcpAccessLogEntry(Instant startTime, long durationMillis, Set<ResponseFlag> flags, long bytesReceived,
                             long bytesSent, String upstreamHost, String upstreamCluster,
                             String downstreamRemoteAddress, String downstreamLocalAddress, String listener,
                             String upstreamTransportFailureReason) {
        this(startTime, durationMillis, flags, bytesReceived, bytesSent, upstreamHost, upstreamCluster,
                downstreamRemoteAddress, downstreamLocalAddress, listener, upstreamTransportFailureReason, null);
    }

    /** {@code -} when there is no flag, else the codes joined by commas in Envoy's order. */
    public String flagsString() {
        return flags.isEmpty() ? "-" : appendFlags(new StringBuilder(8)).toString();
    }

    /** Appends {@link #flagsString()} to {@code b}. */
    public StringBuilder appendFlags(StringBuilder b) {
        if (flags.isEmpty()) {
            return b.append('-');
        }
        boolean first = true;
        for (ResponseFlag f : FLAG_ORDER) {
            if (flags.contains(f)) {
                if (!first) {
                    b.append(',');
                }
                b.append(f.code());
                first = false;
            }
        }
        return b;
    }
}
