package io.sallyport.core.http;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Formats an {@link HttpAccessLogEntry} as Envoy's default HTTP access-log line:
 * <pre>
 * [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS%
 * %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%"
 * "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"
 * </pre>
 * (one line, no trailing newline).
 */
public final class EnvoyHttpLogFormat {

    private static final DateTimeFormatter START_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private EnvoyHttpLogFormat() {
    }

    public static String format(HttpAccessLogEntry e) {
        StringBuilder b = new StringBuilder(192);
        b.append('[');
        START_TIME.formatTo(e.startTime(), b);
        b.append("] \"").append(orDash(e.method())).append(' ').append(orDash(e.path())).append(' ')
                .append(orDash(e.protocol())).append("\" ")
                .append(e.responseCode()).append(' ')
                .append(orDash(e.responseFlags())).append(' ')
                .append(e.bytesReceived()).append(' ')
                .append(e.bytesSent()).append(' ')
                .append(e.durationMillis()).append(' ')
                .append(e.upstreamServiceTimeMillis() < 0 ? "-" : Long.toString(e.upstreamServiceTimeMillis()))
                .append(' ');
        quoted(b, e.forwardedFor()).append(' ');
        quoted(b, e.userAgent()).append(' ');
        quoted(b, e.requestId()).append(' ');
        quoted(b, e.authority()).append(' ');
        quoted(b, e.upstreamHost());
        return b.toString();
    }

    private static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    private static StringBuilder quoted(StringBuilder b, String s) {
        b.append('"');
        if (s == null || s.isEmpty()) {
            b.append('-');
        } else {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                // Keep one line per request whatever a client puts in a header.
                b.append(c == '"' ? '\'' : c < 0x20 ? ' ' : c);
            }
        }
        return b.append('"');
    }
}
