package io.sallyport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sallyport.core.config.MeshExternalService.SanMatch;
import io.sallyport.core.config.MeshExternalService.SanMatchType;
import io.sallyport.testing.TestCertificates;
import io.sallyport.testing.TestCertificates.Issued;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SubjectAltNameVerifierTest {

    private static Issued mixed;
    private static Issued none;

    @BeforeAll
    static void certificates() {
        KeyPair key = TestCertificates.newKeyPair(TestCertificates.KeyType.EC_P256);
        mixed = TestCertificates.builder("mixed").keyPair(key).dns("api.example.test", "*.svc.example.test")
                .ip("10.1.2.3", "::1").uri("spiffe://example.local/ns/local/sa/api").build();
        none = TestCertificates.builder("api.example.test").keyPair(key).build();
    }

    @ParameterizedTest(name = "{0} against {1} -> {2}")
    @CsvSource({
            "a.example.com, a.example.com, true",
            "A.Example.COM., a.example.com, true",
            "a.example.com, *.example.com, true",
            "example.com, *.example.com, false",
            "a.b.example.com, *.example.com, false",
            "a.com, *.com, false",
            "a.example.com, b.example.com, false",
            "a.example.com, a*.example.com, false",
    })
    void dnsMatchingFollowsRfc6125(String name, String san, boolean expected) {
        assertThat(SubjectAltNameVerifier.dnsMatches(name, san)).isEqualTo(expected);
    }

    @Test
    void expectedNameMatchesDnsAndIpSans() {
        SubjectAltNameVerifier v = new SubjectAltNameVerifier(List.of());
        assertThatCode(() -> v.verify(mixed.certificate(), "api.example.test")).doesNotThrowAnyException();
        assertThatCode(() -> v.verify(mixed.certificate(), "db.svc.example.test")).doesNotThrowAnyException();
        assertThatCode(() -> v.verify(mixed.certificate(), "10.1.2.3")).doesNotThrowAnyException();
        assertThatCode(() -> v.verify(mixed.certificate(), "0:0:0:0:0:0:0:1")).doesNotThrowAnyException();
        assertThatCode(() -> v.verify(mixed.certificate(), "[::1]")).doesNotThrowAnyException();
        // An IP endpoint never matches a DNS SAN that happens to spell it, nor the reverse.
        assertThatThrownBy(() -> v.verify(mixed.certificate(), "10.1.2.4"))
                .isInstanceOf(UpstreamCertificateException.class);
        assertThatThrownBy(() -> v.verify(mixed.certificate(), null))
                .isInstanceOf(UpstreamCertificateException.class).hasMessageContaining("none known");
    }

    @Test
    void commonNameIsNeverUsed() {
        assertThatThrownBy(() -> new SubjectAltNameVerifier(List.of()).verify(none.certificate(), "api.example.test"))
                .isInstanceOfSatisfying(UpstreamCertificateException.class,
                        e -> assertThat(e.reason()).isEqualTo(TlsFailureReason.SAN_MISMATCH))
                .hasMessage("server certificate SANs (none) match neither \"api.example.test\"");
    }

    @Test
    void matchersCoverDnsIpAndUriSans() throws Exception {
        String other = "other.example.test";
        accept(new SanMatch(SanMatchType.Exact, "spiffe://example.local/ns/local/sa/api"), other);
        accept(new SanMatch(SanMatchType.Prefix, "spiffe://example.local/"), other);
        accept(new SanMatch(SanMatchType.Exact, "x.svc.example.test"), other);
        accept(new SanMatch(SanMatchType.Prefix, "API."), other);
        accept(new SanMatch(SanMatchType.Exact, "0:0:0:0:0:0:0:1"), other);
        accept(new SanMatch(SanMatchType.Prefix, "10.1."), other);
        reject(new SanMatch(SanMatchType.Exact, "spiffe://example.local/ns/local/sa"), other);
        reject(new SanMatch(SanMatchType.Prefix, "spiffe://other.local/"), other);
        reject(new SanMatch(SanMatchType.Exact, "x.y.svc.example.test"), other);
    }

    private static void accept(SanMatch m, String name) throws Exception {
        new SubjectAltNameVerifier(List.of(m)).verify(mixed.certificate(), name);
    }

    private static void reject(SanMatch m, String name) {
        assertThatThrownBy(() -> new SubjectAltNameVerifier(List.of(m)).verify(mixed.certificate(), name))
                .isInstanceOf(UpstreamCertificateException.class).hasMessageContaining(m.value());
    }
}
