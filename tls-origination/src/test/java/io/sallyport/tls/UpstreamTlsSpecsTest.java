package io.sallyport.tls;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.DataSource;
import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.config.MeshExternalService.Endpoint;
import io.sallyport.core.config.MeshExternalService.Match;
import io.sallyport.core.config.MeshExternalService.SanMatch;
import io.sallyport.core.config.MeshExternalService.SanMatchType;
import io.sallyport.core.config.MeshExternalService.Tls;
import io.sallyport.core.config.MeshExternalService.TlsVersion;
import io.sallyport.core.config.MeshExternalService.Verification;
import io.sallyport.core.config.MeshExternalService.VerificationMode;
import io.sallyport.core.config.MeshExternalService.Version;
import io.sallyport.core.config.Origin;
import io.sallyport.core.config.Resource;
import io.sallyport.core.config.ResourceMeta;
import io.sallyport.core.config.Secret;
import io.sallyport.testing.TestCertificates;
import io.sallyport.testing.TestCertificates.Issued;
import io.sallyport.testing.TestCertificates.KeyType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpstreamTlsSpecsTest {

    private static final String V = "spec.tls.verification";
    private static final Origin ORIGIN = new Origin("mes.yaml", 1, Map.of(
            "spec.tls", 10,
            "spec.tls.version", 12,
            V + ".caCert.file", 20,
            V + ".caCert.inlineString", 21,
            V + ".clientCert.inline", 22,
            V + ".clientCert.secret", 22,
            V + ".clientKey.inlineString", 24,
            V + ".clientKey.file", 24,
            V + ".clientKey.secret", 24));

    private static Issued rsaClient;
    private static Issued ecClient;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() {
        Issued root = TestCertificates.builder("Specs Root").ca().build();
        rsaClient = TestCertificates.builder("rsa client").issuer(root).keyType(KeyType.RSA_2048).build();
        ecClient = TestCertificates.builder("ec client").issuer(root).build();
    }

    private static MeshExternalService mes(Tls tls) {
        ResourceMeta meta = new ResourceMeta("MeshExternalService", "api", "default", null, Map.of(), ORIGIN);
        return new MeshExternalService(meta, new Match(null, 443, null),
                List.of(new Endpoint("api.example.test", 443, 0)), tls, null);
    }

    private static Tls tls(VerificationMode mode, DataSource ca, DataSource cert, DataSource key) {
        return new Tls(true, new Version(null, null), false,
                new Verification(mode, null, List.of(), ca, cert, key));
    }

    private static Secret secret(String name, String mesh, byte[] data) {
        return new Secret(new ResourceMeta("Secret", name, mesh, null, Map.of(), Origin.synthetic("secrets.yaml")), data);
    }

    @Test
    void absentOrDisabledTlsIsTheDisabledSpec() {
        assertThat(UpstreamTlsSpecs.resolve(mes(null), ConfigSet.EMPTY).spec()).isSameAs(UpstreamTlsSpec.DISABLED);
        Tls off = new Tls(false, null, false, null);
        assertThat(UpstreamTlsSpecs.resolve(mes(off), ConfigSet.EMPTY).spec().enabled()).isFalse();
    }

    @Test
    void defaultsAreSecuredWithSystemTrustAndBothVersions() {
        UpstreamTlsSpecs.Resolution r = UpstreamTlsSpecs.resolve(mes(new Tls(true, null, false, null)), ConfigSet.EMPTY);
        assertThat(r.ok()).isTrue();
        assertThat(r.spec().mode()).isEqualTo(VerificationMode.Secured);
        assertThat(r.spec().trust()).isEqualTo(UpstreamTlsSpec.TrustSource.system());
        assertThat(r.spec().minVersion()).isEqualTo(TlsVersion.TLS12);
        assertThat(r.spec().maxVersion()).isEqualTo(TlsVersion.TLS13);
    }

    @Test
    void readsEveryDataSourceFormAndKeepsSettings() throws Exception {
        // The documentation's tcp-mtls example: a PKCS#1 key inline as a string.
        Path caFile = ecClient.root().writeCertificate(dir, "ca.pem");
        Secret certSecret = secret("client-cert", "default", rsaClient.chainPem().getBytes(UTF_8));
        Tls tls = new Tls(true, new Version(TlsVersion.TLS12, TlsVersion.TLS13), true, new Verification(
                VerificationMode.Secured, "api.example.test",
                List.of(new SanMatch(SanMatchType.Prefix, "spiffe://example.local/")),
                new DataSource.FileRef(caFile.toString()), new DataSource.SecretRef("client-cert"),
                new DataSource.InlineString(rsaClient.privateKeyTraditionalPem())));
        UpstreamTlsSpecs.Resolution r = UpstreamTlsSpecs.resolve(mes(tls), new ConfigSet(List.<Resource>of(certSecret)));

        assertThat(r.errors()).isEmpty();
        UpstreamTlsSpec spec = r.spec();
        assertThat(spec.serverName()).isEqualTo("api.example.test");
        assertThat(spec.allowRenegotiation()).isTrue();
        assertThat(spec.subjectAltNames()).containsExactly(new SanMatch(SanMatchType.Prefix, "spiffe://example.local/"));
        assertThat(spec.trust()).isEqualTo(UpstreamTlsSpec.TrustSource.pem(Files.readAllBytes(caFile)));
        assertThat(spec.clientCertificate()).isEqualTo(new UpstreamTlsSpec.ClientCertificate(
                rsaClient.chainPem().getBytes(UTF_8), rsaClient.privateKeyTraditionalPem().getBytes(UTF_8)));
        // The same settings resolved again are an equal key (the context cache depends on it).
        assertThat(UpstreamTlsSpecs.resolve(mes(tls), new ConfigSet(List.<Resource>of(certSecret))).spec())
                .isEqualTo(spec).hasSameHashCodeAs(spec);

        Tls inline = tls(VerificationMode.Secured, new DataSource.InlineString(ecClient.root().certificatePem()),
                new DataSource.Inline(ecClient.certificatePem().getBytes(UTF_8)),
                new DataSource.InlineString(ecClient.privateKeyTraditionalPem()));
        assertThat(UpstreamTlsSpecs.resolve(mes(inline), ConfigSet.EMPTY).errors()).isEmpty();
    }

    @Test
    void modesNormaliseWhatTheyIgnore() {
        Tls skipAll = tls(VerificationMode.SkipAll, new DataSource.InlineString(ecClient.root().certificatePem()),
                new DataSource.InlineString(ecClient.chainPem()), new DataSource.InlineString(ecClient.privateKeyPkcs8Pem()));
        UpstreamTlsSpec spec = UpstreamTlsSpecs.resolve(mes(skipAll), ConfigSet.EMPTY).spec();
        assertThat(spec.trust()).isEqualTo(UpstreamTlsSpec.TrustSource.none());
        assertThat(spec.clientCertificate()).isNull();
        assertThat(spec).isEqualTo(UpstreamTlsSpec.builder().mode(VerificationMode.SkipAll).build());
        Tls skipCa = tls(VerificationMode.SkipCA, new DataSource.InlineString(ecClient.root().certificatePem()), null, null);
        assertThat(UpstreamTlsSpecs.resolve(mes(skipCa), ConfigSet.EMPTY).spec().trust())
                .isEqualTo(UpstreamTlsSpec.TrustSource.none());
    }

    @Test
    void materialErrorsComeBackWithoutASpec() {
        Tls tls = tls(VerificationMode.Secured, new DataSource.InlineString("not a certificate"), null, null);
        UpstreamTlsSpecs.Resolution r = UpstreamTlsSpecs.resolve(mes(tls), ConfigSet.EMPTY);
        assertThat(r.spec()).isNull();
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(21);
            assertThat(e.path()).isEqualTo(V + ".caCert.inlineString");
            assertThat(e.message()).contains("not PEM");
        });
        assertThat(UpstreamTlsSpecs.validate(mes(tls), ConfigSet.EMPTY)).isEqualTo(r.errors());
    }
}
