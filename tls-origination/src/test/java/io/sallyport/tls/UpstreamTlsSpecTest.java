package io.sallyport.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.core.config.MeshExternalService.SanMatch;
import io.sallyport.core.config.MeshExternalService.SanMatchType;
import io.sallyport.core.config.MeshExternalService.TlsVersion;
import io.sallyport.core.config.MeshExternalService.VerificationMode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class UpstreamTlsSpecTest {

    private static UpstreamTlsSpec.Builder base() {
        return UpstreamTlsSpec.builder()
                .enabled(true)
                .mode(VerificationMode.Secured)
                .serverName("api.example.com")
                .subjectAltName(new SanMatch(SanMatchType.Exact, "api.example.com"))
                .trust(UpstreamTlsSpec.TrustSource.pem("ca".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void specsWithTheSameContentAreEqualAndHashAlike() {
        UpstreamTlsSpec a = base().build().withAlpn(List.of("h2"));
        UpstreamTlsSpec b = base().build().withAlpn(List.of("h2"));
        assertThat(a).isEqualTo(b).isNotSameAs(b);
        assertThat(a.hashCode()).isEqualTo(b.hashCode());
        assertThat(a).isNotEqualTo(null).isNotEqualTo("api.example.com");
    }

    @Test
    void everyComponentTakesPartInEquality() {
        UpstreamTlsSpec reference = base().build();
        List<UnaryOperator<UpstreamTlsSpec.Builder>> changes = List.of(
                b -> b.enabled(false),
                b -> b.versions(TlsVersion.TLS13, TlsVersion.TLS13),
                b -> b.allowRenegotiation(true),
                b -> b.mode(VerificationMode.SkipSAN),
                b -> b.serverName("other.example.com"),
                b -> b.subjectAltName(new SanMatch(SanMatchType.Prefix, "api.")),
                b -> b.trust(UpstreamTlsSpec.TrustSource.pem("other ca".getBytes(StandardCharsets.US_ASCII))),
                b -> b.trust(UpstreamTlsSpec.TrustSource.system()),
                b -> b.clientCertificate(new UpstreamTlsSpec.ClientCertificate(
                        "chain".getBytes(StandardCharsets.US_ASCII), "key".getBytes(StandardCharsets.US_ASCII))));
        for (UnaryOperator<UpstreamTlsSpec.Builder> change : changes) {
            UpstreamTlsSpec changed = change.apply(base()).build();
            assertThat(changed).isNotEqualTo(reference);
            assertThat(reference).isNotEqualTo(changed);
        }
        assertThat(reference.withAlpn(List.of("http/1.1"))).isNotEqualTo(reference.withAlpn(List.of("h2")));
        UpstreamTlsSpec otherSanType = UpstreamTlsSpec.builder().enabled(true).mode(VerificationMode.Secured)
                .serverName("api.example.com").subjectAltName(new SanMatch(SanMatchType.Prefix, "api.example.com"))
                .trust(UpstreamTlsSpec.TrustSource.pem("ca".getBytes(StandardCharsets.US_ASCII))).build();
        assertThat(otherSanType).isNotEqualTo(reference);
    }
}
