package io.sallyport.core.accesslog;

/**
 * How an entry becomes a line. {@link #ENVOY} is Envoy's default format, where a TCP connection shows
 * {@code "- - -"} and response code 0:
 * <pre>
 * [2026-11-21T23:50:00.310Z] "- - -" 0 UF 0 0 5001 - "-" "-" "-" "-" "127.0.0.1:4242"
 * </pre>
 * When the upstream transport could not be set up (a refused TLS certificate), its reason (Envoy's
 * {@code %UPSTREAM_TRANSPORT_FAILURE_REASON%}) follows the flags as one more token, which Envoy's default
 * format has no place for:
 * <pre>
 * [2026-11-21T23:50:00.310Z] "- - -" 0 UF san_mismatch 0 0 12 - "-" "-" "-" "-" "-"
 * </pre>
 * {@link #JSON} has one object per line with Envoy's operator names in snake case
 * ({@code upstream_transport_failure_reason} is {@code null} when there is none).
 */
public enum AccessLogFormat {
    ENVOY, JSON;

    public String format(TcpAccessLogEntry e) {
        return formatTo(e, new StringBuilder(256)).toString();
    }

    /** Appends the line of {@code e} (without a line separator) to {@code b}. */
    public StringBuilder formatTo(TcpAccessLogEntry e, StringBuilder b) {
        return this == ENVOY ? envoy(e, b) : json(e, b);
    }

    private static StringBuilder envoy(TcpAccessLogEntry e, StringBuilder b) {
        b.append('[');
        StartTimeFormat.append(b, e.startTime()).append("] \"- - -\" 0 ");
        e.appendFlags(b).append(' ');
        String reason = e.upstreamTransportFailureReason();
        if (reason != null) {
            b.append(reason).append(' ');
        }
        b.append(e.bytesReceived()).append(' ').append(e.bytesSent()).append(' ').append(e.durationMillis())
                .append(" - \"-\" \"-\" \"-\" \"-\" \"")
                .append(e.upstreamHost() == null ? "-" : e.upstreamHost()).append('"');
        if (e.downstreamPeerUriSan() != null) {
            // At the zone egress: who called which service (Envoy's %DOWNSTREAM_PEER_URI_SAN% and
            // %UPSTREAM_CLUSTER%), appended so the default columns keep their positions.
            b.append(" \"").append(e.downstreamPeerUriSan()).append("\" \"")
                    .append(e.upstreamCluster() == null ? "-" : e.upstreamCluster()).append('"');
        }
        return b;
    }

    private static StringBuilder json(TcpAccessLogEntry e, StringBuilder sb) {
        sb.append("{\"start_time\":\"");
        StartTimeFormat.append(sb, e.startTime()).append("\",");
        sb.append("\"protocol\":null,\"response_code\":0,");
        sb.append("\"response_flags\":\"");
        e.appendFlags(sb).append("\",");
        sb.append("\"bytes_received\":").append(e.bytesReceived()).append(',');
        sb.append("\"bytes_sent\":").append(e.bytesSent()).append(',');
        sb.append("\"duration\":").append(e.durationMillis()).append(',');
        field(sb, "upstream_host", e.upstreamHost()).append(',');
        field(sb, "upstream_transport_failure_reason", e.upstreamTransportFailureReason()).append(',');
        field(sb, "upstream_cluster", e.upstreamCluster()).append(',');
        field(sb, "downstream_remote_address", e.downstreamRemoteAddress()).append(',');
        field(sb, "downstream_local_address", e.downstreamLocalAddress()).append(',');
        field(sb, "listener", e.listener());
        if (e.downstreamPeerUriSan() != null) {
            sb.append(',');
            field(sb, "downstream_peer_uri_san", e.downstreamPeerUriSan());
        }
        return sb.append('}');
    }

    private static StringBuilder field(StringBuilder sb, String name, String value) {
        sb.append('"').append(name).append("\":");
        if (value == null) {
            return sb.append("null");
        }
        sb.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }
}
