package io.sallyport.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import javax.net.ssl.SNIHostName;
import org.junit.jupiter.api.Test;

/** The SNI name sent for an endpoint: the JDK's IDN encoding ({@link SNIHostName}), with a fast path for ASCII names. */
class UpstreamTlsContextSniTest {

    private static final String LABEL_63 = "a".repeat(63);

    @Test
    void everyNameGetsWhatSniHostNameGivesIt() {
        List<String> names = List.of("api.example.test", "API.Example.TEST", "a", "localhost", "a-b.c-d.e",
                "x1.y2.z3", "123.example", "1.2.3", "xn--bcher-kva.example", LABEL_63 + ".example",
                LABEL_63 + "a.example", "-a.example", "a-.example", "a..example", ".example", "a_b.example",
                "a b.example", "bücher.example", "Bücher.Example", "例え.テスト", "api.example.test.");
        for (String name : names) {
            assertThat(UpstreamTlsContext.sni(name)).as(name).isEqualTo(reference(name));
        }
    }

    @Test
    void asciiHostNamesTakeTheFastPath() {
        assertThat(UpstreamTlsContext.isLdhName("api.example.test")).isTrue();
        assertThat(UpstreamTlsContext.isLdhName("API.Example.TEST")).isTrue();
        assertThat(UpstreamTlsContext.isLdhName(LABEL_63 + ".example")).isTrue();
        assertThat(UpstreamTlsContext.isLdhName(LABEL_63 + "a.example")).isFalse();
        assertThat(UpstreamTlsContext.isLdhName("-a.example")).isFalse();
        assertThat(UpstreamTlsContext.isLdhName("a..example")).isFalse();
        assertThat(UpstreamTlsContext.isLdhName("")).isFalse();
        assertThat(UpstreamTlsContext.isLdhName("bücher.example")).isFalse();
    }

    @Test
    void ipLiteralsGetNoSni() {
        assertThat(UpstreamTlsContext.sni("127.0.0.1")).isNull();
        assertThat(UpstreamTlsContext.sni("::1")).isNull();
    }

    /** What the JDK makes of {@code peer}: its IDN encoding without the trailing dot, or none. */
    private static String reference(String peer) {
        String name = peer.endsWith(".") ? peer.substring(0, peer.length() - 1) : peer;
        try {
            return new SNIHostName(name).getAsciiName();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
