package io.sallyport.core.accesslog;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Envoy's {@code %START_TIME%} as the access logs print it, {@code yyyy-MM-dd'T'HH:mm:ss.SSS'Z'} in UTC,
 * appended by arithmetic: no formatter objects, no temporary Strings (it runs once per logged line).
 */
public final class StartTimeFormat {

    private static final DateTimeFormatter FALLBACK =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    /** 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z: four-digit years only. */
    private static final long MIN_SECOND = -62_167_219_200L;
    private static final long MAX_SECOND = 253_402_300_800L;

    private StartTimeFormat() {
    }

    /** The text up to the milliseconds of one second, remembered: log lines come many per second. */
    private record Second(long epochSecond, String text) {
    }

    /** The last second formatted (an immutable record: safe to share between writer threads without a lock). */
    private static volatile Second last = new Second(Long.MIN_VALUE, "");

    /** Appends {@code t} truncated to milliseconds. */
    public static StringBuilder append(StringBuilder b, Instant t) {
        long second = t.getEpochSecond();
        if (second < MIN_SECOND || second >= MAX_SECOND) {
            FALLBACK.formatTo(t, b);
            return b;
        }
        Second s = last;
        if (s.epochSecond() != second) {
            s = new Second(second, secondText(second));
            last = s;
        }
        b.append(s.text());
        return digits(b, t.getNano() / 1_000_000, 3).append('Z');
    }

    /** {@code yyyy-MM-ddTHH:mm:ss.} of a second in the four-digit years. */
    private static String secondText(long second) {
        StringBuilder b = new StringBuilder(20);
        long days = Math.floorDiv(second, 86_400L);
        int secondOfDay = (int) (second - days * 86_400L);
        // Days to a civil date (H. Hinnant's algorithm, proleptic Gregorian, eras of 400 years).
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int day = (int) (doy - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));
        digits(b, year, 4).append('-');
        digits(b, month, 2).append('-');
        digits(b, day, 2).append('T');
        digits(b, secondOfDay / 3600, 2).append(':');
        digits(b, secondOfDay / 60 % 60, 2).append(':');
        digits(b, secondOfDay % 60, 2).append('.');
        return b.toString();
    }

    private static StringBuilder digits(StringBuilder b, int value, int width) {
        for (int div = width == 4 ? 1000 : width == 3 ? 100 : 10; div > 0; div /= 10) {
            b.append((char) ('0' + value / div % 10));
        }
        return b;
    }
}
