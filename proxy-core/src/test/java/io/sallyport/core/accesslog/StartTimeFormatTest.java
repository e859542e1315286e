package io.sallyport.core.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The arithmetic START_TIME formatter prints what Envoy's (and the JDK formatter's) pattern prints. */
class StartTimeFormatTest {

    private static final DateTimeFormatter PATTERN =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Test
    void matchesTheJdkFormatterOverCalendarEdges() {
        String[] edges = {"1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "2000-02-29T12:00:00.001Z",
            "2024-02-29T23:59:59.999Z", "2026-11-21T23:50:00.310Z", "2100-03-01T00:00:00Z", "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999Z", "1600-02-29T00:00:00Z"};
        for (String s : edges) {
            Instant t = Instant.parse(s);
            assertThat(StartTimeFormat.append(new StringBuilder(), t).toString()).as(s).isEqualTo(PATTERN.format(t));
        }
    }

    @Test
    void matchesTheJdkFormatterForRandomInstants() {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 20_000; i++) {
            Instant t = Instant.ofEpochSecond(r.nextLong(-62_000_000_000L, 253_000_000_000L), r.nextInt(1_000_000_000));
            assertThat(StartTimeFormat.append(new StringBuilder(), t).toString()).isEqualTo(PATTERN.format(t));
        }
    }

    @Test
    void instantsOfTheSameSecondAndBackAgainAreEachFormattedExactly() {
        String[] seq = {"2026-11-22T05:00:00.001Z", "2026-11-22T05:00:00.999Z", "2026-11-22T05:00:01.000Z",
            "2026-11-22T05:00:00.500Z", "2026-11-22T05:00:00.500Z", "1999-12-31T23:59:59.999Z"};
        for (String s : seq) {
            Instant t = Instant.parse(s);
            assertThat(StartTimeFormat.append(new StringBuilder(), t).toString()).as(s).isEqualTo(PATTERN.format(t));
        }
    }

    @Test
    void yearsBeyondFourDigitsFallBackToTheFormatter() {
        Instant t = Instant.parse("+12345-01-01T00:00:00Z");
        assertThat(StartTimeFormat.append(new StringBuilder("x"), t).toString()).isEqualTo("x" + PATTERN.format(t));
    }
}
