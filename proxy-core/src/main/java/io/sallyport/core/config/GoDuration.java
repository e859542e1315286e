package io.sallyport.core.config;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Parses durations as Go's {@code time.ParseDuration} writes them, the form Kuma policies use:
 * a sequence of decimal numbers with a unit each ({@code 5s}, {@code 1m30s}, {@code 100ms},
 * {@code 1.5h}, {@code 0s}; units {@code ns us µs ms s m h}), or a bare {@code 0}.
 */
public final class GoDuration {

    private GoDuration() {
    }

    /**
     * The duration; negative values are rejected here because no Kuma timeout may be negative.
     *
     * @throws IllegalArgumentException when {@code text} is not a Go duration
     */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        if (text.startsWith("-")) {
            throw new IllegalArgumentException("must not be negative");
        }
        String s = text.startsWith("+") ? text.substring(1) : text;
        if (s.isEmpty()) {
            throw new IllegalArgumentException("not a duration");
        }
        BigDecimal nanos = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(start, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw new IllegalArgumentException("not a duration");
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            long unit = unitNanos(s.substring(unitStart, i));
            nanos = nanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unit)));
        }
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("too large");
        }
        return Duration.ofNanos(nanos.longValue());
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "" -> throw new IllegalArgumentException("missing unit");
            default -> throw new IllegalArgumentException("unknown unit \"" + unit + "\"");
        };
    }
}
