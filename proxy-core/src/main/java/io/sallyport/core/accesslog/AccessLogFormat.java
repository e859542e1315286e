package io.sallyport.core.accesslog;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

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

    private static final DateTimeFormatter START_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    public String format(TcpAccessLogEntry e) {
        return this == ENVOY ? envoy(e) : json(e);
    }

    private static String envoy(TcpAccessLogEntry e) {
        String reason = e.upstreamTransportFailureReason();
        return "[" + START_TIME.format(e.startTime()) + "] \"- - -\" 0 " + e.flagsString() + " "
                + (reason == null ? "" : reason + " ")
                + e.bytesReceived() + " " + e.bytesSent() + " " + e.durationMillis() + " - \"-\" \"-\" \"-\" \"-\" \""
                + (e.upstreamHost() == null ? "-" : e.upstreamHost()) + "\""
                // At the zone egress: who called which service (Envoy's %DOWNSTREAM_PEER_URI_SAN% and
                // %UPSTREAM_CLUSTER%), appended so the default columns keep their positions.
                + (e.downstreamPeerUriSan() == null ? ""
                        : " \"" + e.downstreamPeerUriSan() + "\" \""
                                + (e.upstreamCluster() == null ? "-" : e.upstreamCluster()) + "\"");
    }

    private static String json(TcpAccessLogEntry e) {
        StringBuilder sb = new StringBuilder(256).append('{');
        field(sb, "start_time", START_TIME.format(e.startTime())).append(',');
        sb.append("\"protocol\":null,\"response_code\":0,");
        field(sb, "response_flags", e.flagsString()).append(',');
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
        return sb.append('}').toString();
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
