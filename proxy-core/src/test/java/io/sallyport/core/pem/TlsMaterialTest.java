package io.sallyport.core.pem;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.core.config.ConfigError;
import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.DataSource;
import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.config.MeshExternalService.Endpoint;
import io.sallyport.core.config.MeshExternalService.Match;
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
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsMaterialTest {

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
    void expiredCertificatesAreNotConfigErrors() {
        Issued expired = TestCertificates.builder("old").expired().build();
        Tls tls = tls(VerificationMode.Secured, new DataSource.InlineString(expired.certificatePem()),
                new DataSource.InlineString(expired.certificatePem()), new DataSource.InlineString(expired.privateKeyPkcs8Pem()));
        assertThat(TlsMaterial.validate(mes(tls), ConfigSet.EMPTY)).isEmpty();
    }

    @Test
    void unreadableFileIsAnErrorAtTheFieldLine() {
        Tls tls = tls(VerificationMode.Secured, new DataSource.FileRef(dir.resolve("missing.pem").toString()), null, null);
        List<ConfigError> errors = TlsMaterial.validate(mes(tls), ConfigSet.EMPTY);
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).toString()).isEqualTo("mes.yaml:20: MeshExternalService/api: " + V
                + ".caCert.file: cannot read file " + dir.resolve("missing.pem") + ": no such file");
    }

    @Test
    void notPemIsAnError() {
        Tls tls = tls(VerificationMode.Secured, new DataSource.InlineString("not a certificate"), null, null);
        assertThat(TlsMaterial.validate(mes(tls), ConfigSet.EMPTY)).singleElement()
                .satisfies(e -> {
                    assertThat(e.line()).isEqualTo(21);
                    assertThat(e.path()).isEqualTo(V + ".caCert.inlineString");
                    assertThat(e.message()).contains("not PEM");
                });
    }

    @Test
    void mismatchedKeyIsAnErrorOnTheKey() {
        Tls tls = tls(VerificationMode.Secured, null, new DataSource.Inline(ecClient.chainPem().getBytes(UTF_8)),
                new DataSource.InlineString(rsaClient.privateKeyPkcs8Pem()));
        assertThat(TlsMaterial.validate(mes(tls), ConfigSet.EMPTY)).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(24);
            assertThat(e.path()).isEqualTo(V + ".clientKey.inlineString");
            assertThat(e.message()).contains("private key is RSA but the certificate (CN=ec client)");
        });
        Issued otherEc = TestCertificates.builder("other").build();
        Tls sameAlgorithm = tls(VerificationMode.Secured, null, new DataSource.Inline(ecClient.chainPem().getBytes(UTF_8)),
                new DataSource.InlineString(otherEc.privateKeyPkcs8Pem()));
        assertThat(TlsMaterial.validate(mes(sameAlgorithm), ConfigSet.EMPTY)).singleElement()
                .extracting(ConfigError::message).isEqualTo("private key does not match the certificate (CN=ec client)");
    }

    @Test
    void encryptedKeyAndHalfAPairAreErrors() {
        Tls encrypted = tls(VerificationMode.Secured, null, new DataSource.Inline(ecClient.chainPem().getBytes(UTF_8)),
                new DataSource.InlineString(ecClient.privateKeyEncryptedPem("pw")));
        assertThat(TlsMaterial.validate(mes(encrypted), ConfigSet.EMPTY)).singleElement()
                .extracting(ConfigError::message).asString().contains("encrypted private keys are not supported");
        Tls certOnly = tls(VerificationMode.Secured, null, new DataSource.Inline(ecClient.chainPem().getBytes(UTF_8)), null);
        assertThat(TlsMaterial.validate(mes(certOnly), ConfigSet.EMPTY)).singleElement()
                .extracting(ConfigError::message).asString().contains("give both or neither");
    }

    @Test
    void secretMustExistInTheSameMesh() {
        Secret elsewhere = secret("client-cert", "other-mesh", ecClient.chainPem().getBytes(UTF_8));
        Tls tls = tls(VerificationMode.Secured, null, new DataSource.SecretRef("client-cert"),
                new DataSource.SecretRef("client-key"));
        List<ConfigError> errors = TlsMaterial.validate(mes(tls), new ConfigSet(List.<Resource>of(elsewhere)));
        assertThat(errors).extracting(ConfigError::message).containsExactly(
                "Secret \"client-cert\" not found in mesh \"default\"",
                "Secret \"client-key\" not found in mesh \"default\"");
    }

    @Test
    void minAboveMaxIsAnError() {
        Tls tls = new Tls(true, new Version(TlsVersion.TLS13, TlsVersion.TLS12), false, null);
        assertThat(TlsMaterial.validate(mes(tls), ConfigSet.EMPTY)).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("spec.tls.version");
            assertThat(e.line()).isEqualTo(12);
        });
    }

}
