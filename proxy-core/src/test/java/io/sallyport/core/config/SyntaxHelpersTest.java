package io.sallyport.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GoDuration, Addresses and NameSuggester on their own. */
class SyntaxHelpersTest {

    @Test
    void goDurations() {
        assertThat(GoDuration.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(GoDuration.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(GoDuration.parse("100ms")).isEqualTo(Duration.ofMillis(100));
        assertThat(GoDuration.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(GoDuration.parse("0s")).isEqualTo(Duration.ZERO);
        assertThat(GoDuration.parse("0")).isEqualTo(Duration.ZERO);
        assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("2h45m10s500ms")).isEqualTo(Duration.ofMillis(9_910_500));
        assertThat(GoDuration.parse("10us")).isEqualTo(Duration.ofNanos(10_000));
        assertThat(GoDuration.parse("10µs")).isEqualTo(Duration.ofNanos(10_000));
        assertThat(GoDuration.parse("7ns")).isEqualTo(Duration.ofNanos(7));
        for (String bad : List.of("", "5", "s", "1d", "-1s", "1.2.3s", "5 s", "1m30", ".s", "1sm")) {
            assertThatThrownBy(() -> GoDuration.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void addresses() {
        assertThat(Addresses.isIp("127.0.0.1")).isTrue();
        assertThat(Addresses.isIp("::1")).isTrue();
        assertThat(Addresses.isIp("256.0.0.1")).isFalse();
        assertThat(Addresses.isIp("example.com")).isFalse();
        assertThat(Addresses.isCidr("10.0.0.0/8")).isTrue();
        assertThat(Addresses.isCidr("fd00::/8")).isTrue();
        assertThat(Addresses.isCidr("10.0.0.0/33")).isFalse();
        assertThat(Addresses.isCidr("10.0.0.0")).isFalse();
        assertThat(Addresses.isCidr("10.0.0.0/")).isFalse();
        assertThat(Addresses.isCidr("x/8")).isFalse();
        assertThat(Addresses.isDnsName("api.example.com")).isTrue();
        assertThat(Addresses.isDnsName("api.example.com.")).isTrue();
        assertThat(Addresses.isDnsName("localhost")).isTrue();
        assertThat(Addresses.isDnsName("_srv.example.com")).isTrue();
        assertThat(Addresses.isDnsName("-bad.example.com")).isFalse();
        assertThat(Addresses.isDnsName("a..b")).isFalse();
        assertThat(Addresses.isDnsName("10.0.0.1")).isFalse();
        assertThat(Addresses.isDnsName("1.2.3.999")).isFalse();
        assertThat(Addresses.isDnsName("x".repeat(64) + ".com")).isFalse();
        assertThat(Addresses.isDnsName("with space.com")).isFalse();
        assertThat(Addresses.unixAddressProblem("unix:///tmp/a.sock")).isNull();
        assertThat(Addresses.unixPath("unix:///tmp/a.sock")).isEqualTo("/tmp/a.sock");
        assertThat(Addresses.unixAddressProblem("unix://tmp/a.sock")).isEqualTo(
                "must be unix:///absolute/path, got \"unix://tmp/a.sock\"");
    }

    @Test
    void suggestions() {
        List<String> match = List.of("type", "port", "protocol");
        assertThat(NameSuggester.closest("prot", match)).isEqualTo("protocol");
        assertThat(NameSuggester.closest("prto", match)).isEqualTo("port");
        assertThat(NameSuggester.closest("Port", match)).isEqualTo("port");
        assertThat(NameSuggester.closest("protocl", match)).isEqualTo("protocol");
        assertThat(NameSuggester.closest("zzzzzz", match)).isNull();
        assertThat(NameSuggester.closest("tsl", List.of("match", "endpoints", "tls"))).isEqualTo("tls");
        assertThat(NameSuggester.levenshtein("kitten", "sitting")).isEqualTo(3);
        assertThat(NameSuggester.levenshtein("ab", "ba")).isEqualTo(1);
    }
}
