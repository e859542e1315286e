package io.sallyport.app;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses Go-style durations as Kuma writes them: {@code 30s}, {@code 500ms}, {@code 1m30s}, {@code 2h}. */
public final class Durations {

    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");

    private Durations() {
    }

    /** @throws IllegalArgumentException with a one-line reason */
    public static Duration parse(String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("expected a duration like 30s, got an empty value");
        }
        if (value.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(value);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < value.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException(
                        "'" + value + "' is not a duration (use e.g. 30s, 500ms, 1m30s)");
            }
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
            at = m.end();
        }
        return total;
    }
}
