package io.sallyport.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.testing.TestCertificates;
import io.sallyport.testing.TestCertificates.Issued;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Certificate and key material is checked by `validate`, with the file and line of the offending field. */
class TlsMaterialRulesTest extends ConfigFixture {

    @Test
    void mismatchedClientKeyIsReportedAtTheKeysLine() {
        Issued client = TestCertificates.builder("client").build();
        Issued other = TestCertificates.builder("other").build();
        String yaml = """
                type: MeshExternalService
                name: mtls
                spec:
                  match:
                    port: 443
                  endpoints:
                    - address: 127.0.0.1
                      port: 8443
                  tls:
                    enabled: true
                    verification:
                      clientCert:
                        inline: %s
                      clientKey:
                        inline: %s
                """.formatted(b64(client.certificatePem()), b64(other.privateKeyPkcs8Pem()));
        assertThat(errors(yaml)).containsExactly("c.yaml:15: MeshExternalService/mtls: "
                + "spec.tls.verification.clientKey.inline: private key does not match the certificate (CN=client)");
    }

    @Test
    void unreadableCaFileAndMissingSecretAreEachReportedOnce() {
        String yaml = """
                type: MeshExternalService
                name: tls
                spec:
                  match:
                    port: 443
                  endpoints:
                    - address: example.test
                      port: 443
                  tls:
                    enabled: true
                    verification:
                      caCert:
                        file: %s
                      clientCert:
                        secret: nope
                      clientKey:
                        secret: nope-key
                """.formatted(dir.resolve("missing.pem"));
        assertThat(errors(yaml)).hasSize(3).anySatisfy(e -> assertThat(e)
                .startsWith("c.yaml:13: MeshExternalService/tls: spec.tls.verification.caCert.file: cannot read file "));
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
