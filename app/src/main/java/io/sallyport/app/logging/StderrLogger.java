package io.sallyport.app.logging;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * A logger that writes {@code 2026-11-22T02:01:27.235Z [INFO] ListenerManager - message} lines (and a
 * throwable's stack trace) to stderr; the offset is the sink's zone's ({@code Z} for UTC).
 */
final class StderrLogger extends LegacyAbstractLogger {

    private static final long serialVersionUID = 1L;

    private final transient int threshold;
    private final transient String shortName;
    private final transient Sink sink;

    /** Where lines go, with the clock and zone that stamp them (tests give their own). */
    record Sink(PrintStream out, ZoneId zone, Clock clock) {
    }

    StderrLogger(String name, int threshold, Sink sink) {
        this.name = name;
        this.threshold = threshold;
        this.shortName = name.substring(name.lastIndexOf('.') + 1);
        this.sink = sink;
    }

    @Override
    public boolean isTraceEnabled() {
        return Level.TRACE.toInt() >= threshold;
    }

    @Override
    public boolean isDebugEnabled() {
        return Level.DEBUG.toInt() >= threshold;
    }

    @Override
    public boolean isInfoEnabled() {
        return Level.INFO.toInt() >= threshold;
    }

    @Override
    public boolean isWarnEnabled() {
        return Level.WARN.toInt() >= threshold;
    }

    @Override
    public boolean isErrorEnabled() {
        return Level.ERROR.toInt() >= threshold;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String messagePattern,
                                               Object[] arguments, Throwable throwable) {
        StringBuilder line = new StringBuilder(96);
        timestamp(line, sink.clock().instant(), sink.zone());
        line.append(" [").append(level.name()).append("] ").append(shortName).append(" - ")
                .append(MessageFormatter.basicArrayFormat(messagePattern, arguments));
        if (throwable != null) {
            StringWriter trace = new StringWriter();
            try (PrintWriter w = new PrintWriter(trace)) {
                w.println();
                throwable.printStackTrace(w);
            }
            StringBuffer text = trace.getBuffer();
            int end = text.length();
            while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
                end--; // println adds the line's end
            }
            line.append(text, 0, end);
        }
        PrintStream out = sink.out();
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    /** {@code yyyy-MM-dd'T'HH:mm:ss.SSS} and the offset as {@code Z} or {@code +hh:mm}. */
    static void timestamp(StringBuilder b, Instant now, ZoneId zone) {
        ZoneOffset offset = zone.getRules().getOffset(now);
        LocalDateTime t = LocalDateTime.ofEpochSecond(now.getEpochSecond(), now.getNano(), offset);
        pad(b, t.getYear(), 4).append('-');
        pad(b, t.getMonthValue(), 2).append('-');
        pad(b, t.getDayOfMonth(), 2).append('T');
        pad(b, t.getHour(), 2).append(':');
        pad(b, t.getMinute(), 2).append(':');
        pad(b, t.getSecond(), 2).append('.');
        pad(b, t.getNano() / 1_000_000, 3);
        int seconds = offset.getTotalSeconds();
        if (seconds == 0) {
            b.append('Z');
        } else {
            b.append(seconds < 0 ? '-' : '+');
            int abs = Math.abs(seconds);
            pad(b, abs / 3600, 2).append(':');
            pad(b, abs / 60 % 60, 2);
        }
    }

    private static StringBuilder pad(StringBuilder b, int value, int width) {
        String s = Integer.toString(value);
        for (int i = s.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(s);
    }
}
