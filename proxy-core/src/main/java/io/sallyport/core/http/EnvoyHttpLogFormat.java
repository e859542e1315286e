package io.sallyport.core.http;

import io.sallyport.core.accesslog.StartTimeFormat;

/**
 * Formats an {@link HttpAccessLogEntry} as Envoy's default HTTP access-log line:
 * <pre>
 * [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS%
 * %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%"
 * "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"
 * </pre>
 * (one line, no trailing newline). When the connection has a verified peer (the zone egress), the caller's
 * {@code "%DOWNSTREAM_PEER_URI_SAN%" "%UPSTREAM_CLUSTER%"} follow, as on the egress's TCP lines, so the
 * default columns keep their positions.
 */
public final class EnvoyHttpLogFormat {

    private EnvoyHttpLogFormat() {
    }

    public static String format(HttpAccessLogEntry e) {
        return formatTo(e, new StringBuilder(192)).toString();
    }

    /** Appends the line of {@link #format} to {@code b}. */
    public static StringBuilder formatTo(HttpAccessLogEntry e, StringBuilder b) {
        b.append('[');
        StartTimeFormat.append(b, e.startTime());
        b.append("] \"").append(orDash(e.method())).append(' ').append(orDash(e.path())).append(' ')
                .append(orDash(e.protocol())).append("\" ")
                .append(e.responseCode()).append(' ')
                .append(orDash(e.responseFlags())).append(' ')
                .append(e.bytesReceived()).append(' ')
                .append(e.bytesSent()).append(' ')
                .append(e.durationMillis()).append(' ');
        if (e.upstreamServiceTimeMillis() < 0) {
            b.append('-');
        } else {
            b.append(e.upstreamServiceTimeMillis());
        }
        b.append(' ');
        quoted(b, e.forwardedFor()).append(' ');
        quoted(b, e.userAgent()).append(' ');
        quoted(b, e.requestId()).append(' ');
        quoted(b, e.authority()).append(' ');
        quoted(b, e.upstreamHost());
        if (e.downstreamPeerUriSan() != null) {
            b.append(' ');
            quoted(b, e.downstreamPeerUriSan()).append(' ');
            quoted(b, e.upstreamCluster());
        }
        return b;
    }

    /** One JSON object with Envoy's operator names in snake case (the JSON access-log option). */
    public static String json(HttpAccessLogEntry e) {
        return jsonTo(e, new StringBuilder(320)).toString();
    }

    /** Appends the object of {@link #json} to {@code b}. */
    public static StringBuilder jsonTo(HttpAccessLogEntry e, StringBuilder b) {
        b.append("{\"start_time\":\"");
        StartTimeFormat.append(b, e.startTime()).append("\",");
        field(b, "method", e.method()).append(',');
        field(b, "path", e.path()).append(',');
        field(b, "protocol", e.protocol()).append(',');
        b.append("\"response_code\":").append(e.responseCode()).append(',');
        field(b, "response_flags", e.responseFlags()).append(',');
        b.append("\"bytes_received\":").append(e.bytesReceived()).append(',');
        b.append("\"bytes_sent\":").append(e.bytesSent()).append(',');
        b.append("\"duration\":").append(e.durationMillis()).append(',');
        b.append("\"upstream_service_time\":");
        if (e.upstreamServiceTimeMillis() < 0) {
            b.append("null");
        } else {
            b.append(e.upstreamServiceTimeMillis());
        }
        b.append(',');
        field(b, "x_forwarded_for", e.forwardedFor()).append(',');
        field(b, "user_agent", e.userAgent()).append(',');
        field(b, "request_id", e.requestId()).append(',');
        field(b, "authority", e.authority()).append(',');
        field(b, "upstream_host", e.upstreamHost()).append(',');
        field(b, "upstream_cluster", e.upstreamCluster()).append(',');
        field(b, "downstream_remote_address", e.downstreamRemoteAddress());
        if (e.downstreamPeerUriSan() != null) {
            b.append(',');
            field(b, "downstream_peer_uri_san", e.downstreamPeerUriSan());
        }
        return b.append('}');
    }

    private static StringBuilder field(StringBuilder b, String name, String value) {
        b.append('"').append(name).append("\":");
        if (value == null) {
            return b.append("null");
        }
        b.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }

    private static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    private static StringBuilder quoted(StringBuilder b, String s) {
        b.append('"');
        if (s == null || s.isEmpty()) {
            b.append('-');
        } else {
            int clean = 0;
            while (clean < s.length() && s.charAt(clean) != '"' && s.charAt(clean) >= 0x20) {
                clean++;
            }
            if (clean == s.length()) {
                return b.append(s).append('"'); // the usual case: one array copy (a range is copied char by char)
            }
            b.append(s, 0, clean);
            for (int i = clean; i < s.length(); i++) {
                char c = s.charAt(i);
                // Keep one line per request whatever a client puts in a header.
                b.append(c == '"' ? '\'' : c < 0x20 ? ' ' : c);
            }
        }
        return b.append('"');
    }
}
