package io.sallyport.core.pem;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sallyport.testing.TestCertificates;
import io.sallyport.testing.TestCertificates.Issued;
import io.sallyport.testing.TestCertificates.KeyType;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PemTest {

    private static Issued root;
    private static Issued intermediate;
    private static Issued ecLeaf;
    private static Issued rsaLeaf;
    private static Issued otherEcLeaf;

    @BeforeAll
    static void zoo() {
        KeyPair ec = TestCertificates.newKeyPair(KeyType.EC_P256);
        root = TestCertificates.builder("Test Root").ca().build();
        intermediate = TestCertificates.builder("Test Intermediate").ca().issuer(root).build();
        ecLeaf = TestCertificates.builder("ec leaf").issuer(intermediate).keyPair(ec).dns("api.example.test").build();
        rsaLeaf = TestCertificates.builder("rsa leaf").issuer(intermediate).keyType(KeyType.RSA_2048).build();
        otherEcLeaf = TestCertificates.builder("other ec leaf").issuer(root).build();
    }

    @Test
    void parsesAChainLeafFirst() throws Exception {
        List<X509Certificate> chain = PemCertificates.parse(ecLeaf.chainPem().getBytes(UTF_8));
        assertThat(chain).containsExactly(ecLeaf.certificate(), intermediate.certificate());
    }

    @Test
    void ignoresTextBetweenBlocksAsCaBundlesHaveIt() throws Exception {
        String bundle = "# Test Root\n" + root.certificatePem() + "\n# Intermediate\n" + intermediate.certificatePem();
        assertThat(PemCertificates.parse(bundle.getBytes(UTF_8))).hasSize(2);
    }

    @Test
    void expiredCertificatesParse() throws Exception {
        Issued expired = TestCertificates.builder("old").issuer(root).expired().build();
        assertThat(PemCertificates.parse(expired.certificatePem().getBytes(UTF_8))).hasSize(1);
    }

    @Test
    void rejectsTextThatIsNotPem() {
        assertThatThrownBy(() -> PemCertificates.parse("hello world".getBytes(UTF_8)))
                .isInstanceOf(PemException.class).hasMessageContaining("not PEM");
        assertThatThrownBy(() -> PemCertificates.parse(new byte[0]))
                .isInstanceOf(PemException.class).hasMessageContaining("empty");
    }

    @Test
    void rejectsAKeyInACertificateField() {
        assertThatThrownBy(() -> PemCertificates.parse(ecLeaf.privateKeyPkcs8Pem().getBytes(UTF_8)))
                .isInstanceOf(PemException.class).hasMessageContaining("\"PRIVATE KEY\"");
    }

    @Test
    void rejectsTruncatedAndCorruptBlocks() {
        String pem = ecLeaf.certificatePem();
        String truncated = pem.substring(0, pem.indexOf("-----END"));
        assertThatThrownBy(() -> PemCertificates.parse(truncated.getBytes(UTF_8)))
                .isInstanceOf(PemException.class).hasMessageContaining("malformed PEM");
        String corrupt = "-----BEGIN CERTIFICATE-----\nTUlJQm9qQ0NBVWVnQXdJQkFnSVVm\n-----END CERTIFICATE-----\n";
        assertThatThrownBy(() -> PemCertificates.parse(corrupt.getBytes(UTF_8)))
                .isInstanceOf(PemException.class).hasMessageContaining("does not decode");
    }

    @Test
    void parsesPkcs8EcAndRsaKeys() throws Exception {
        PrivateKey ec = PemPrivateKeys.parse(ecLeaf.privateKeyPkcs8Pem().getBytes(UTF_8));
        assertThat(ec.getAlgorithm()).isEqualTo("EC");
        assertThat(ec.getEncoded()).isEqualTo(ecLeaf.privateKey().getEncoded());
        PrivateKey rsa = PemPrivateKeys.parse(rsaLeaf.privateKeyPkcs8Pem().getBytes(UTF_8));
        assertThat(rsa.getEncoded()).isEqualTo(rsaLeaf.privateKey().getEncoded());
    }

    @Test
    void parsesPkcs1RsaKeys() throws Exception {
        String pem = rsaLeaf.privateKeyTraditionalPem();
        assertThat(pem).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        PrivateKey rsa = PemPrivateKeys.parse(pem.getBytes(UTF_8));
        assertThat(rsa.getAlgorithm()).isEqualTo("RSA");
        CertificateKeyMatch.check(rsaLeaf.certificate(), rsa);
    }

    @Test
    void parsesSec1EcKeysWithAndWithoutParametersBlock() throws Exception {
        String pem = ecLeaf.privateKeyTraditionalPem();
        assertThat(pem).startsWith("-----BEGIN EC PRIVATE KEY-----");
        CertificateKeyMatch.check(ecLeaf.certificate(), PemPrivateKeys.parse(pem.getBytes(UTF_8)));
        // `openssl ecparam -genkey` writes the curve in its own block first.
        String withParameters = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + pem;
        CertificateKeyMatch.check(ecLeaf.certificate(), PemPrivateKeys.parse(withParameters.getBytes(UTF_8)));
    }

    @Test
    void sec1KeyWithoutItsCurveNeedsTheParametersBlock() throws Exception {
        java.security.interfaces.ECPrivateKey ec = (java.security.interfaces.ECPrivateKey) ecLeaf.privateKey();
        byte[] der = new org.bouncycastle.asn1.sec.ECPrivateKey(256, ec.getS()).getEncoded();
        String bare = "-----BEGIN EC PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(der)
                + "\n-----END EC PRIVATE KEY-----\n";
        assertThatThrownBy(() -> PemPrivateKeys.parse(bare.getBytes(UTF_8)))
                .isInstanceOf(PemException.class).hasMessageContaining("does not name its curve");
        String withParameters = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + bare;
        CertificateKeyMatch.check(ecLeaf.certificate(), PemPrivateKeys.parse(withParameters.getBytes(UTF_8)));
    }

    @Test
    void refusesEncryptedKeysWithAHint() {
        assertThatThrownBy(() -> PemPrivateKeys.parse(ecLeaf.privateKeyEncryptedPem("secret").getBytes(UTF_8)))
                .isInstanceOf(PemException.class).hasMessageContaining("encrypted private keys are not supported")
                .hasMessageContaining("openssl pkey");
        String legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                + "DEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        assertThatThrownBy(() -> PemPrivateKeys.parse(legacy.getBytes(UTF_8)))
                .isInstanceOf(PemException.class).hasMessageContaining("encrypted private keys are not supported");
    }

    @Test
    void refusesACertificateInAKeyFieldAndSeveralKeys() {
        assertThatThrownBy(() -> PemPrivateKeys.parse(ecLeaf.certificatePem().getBytes(UTF_8)))
                .isInstanceOf(PemException.class).hasMessageContaining("swapped");
        String two = ecLeaf.privateKeyPkcs8Pem() + otherEcLeaf.privateKeyPkcs8Pem();
        assertThatThrownBy(() -> PemPrivateKeys.parse(two.getBytes(UTF_8)))
                .isInstanceOf(PemException.class).hasMessageContaining("one private key, found 2");
        assertThatThrownBy(() -> PemPrivateKeys.parse("not a key".getBytes(UTF_8)))
                .isInstanceOf(PemException.class).hasMessageContaining("not PEM");
        String garbage = "-----BEGIN PRIVATE KEY-----\nAAECAwQ=\n-----END PRIVATE KEY-----\n";
        assertThatThrownBy(() -> PemPrivateKeys.parse(garbage.getBytes(UTF_8)))
                .isInstanceOf(PemException.class).hasMessageContaining("does not decode");
    }

    @Test
    void matchingPairsPassAndMismatchedPairsNameTheCertificate() throws Exception {
        CertificateKeyMatch.check(ecLeaf.certificate(), ecLeaf.privateKey());
        assertThatThrownBy(() -> CertificateKeyMatch.check(ecLeaf.certificate(), otherEcLeaf.privateKey()))
                .isInstanceOf(PemException.class)
                .hasMessage("private key does not match the certificate (CN=ec leaf)");
        assertThatThrownBy(() -> CertificateKeyMatch.check(ecLeaf.certificate(), rsaLeaf.privateKey()))
                .isInstanceOf(PemException.class)
                .hasMessageContaining("private key is RSA but the certificate (CN=ec leaf) has a EC public key");
    }

    @Test
    void zooCertificatesCarryTheirSans() throws Exception {
        Issued leaf = TestCertificates.builder("sans").issuer(intermediate)
                .dns("a.example.test").ip("127.0.0.1").uri("spiffe://example.local/ns/local/sa/x").build();
        assertThat(leaf.certificate().getSubjectAlternativeNames()).containsExactly(
                List.of(2, "a.example.test"), List.of(7, "127.0.0.1"), List.of(6, "spiffe://example.local/ns/local/sa/x"));
        assertThat(leaf.root()).isSameAs(root);
        leaf.certificate().verify(intermediate.certificate().getPublicKey());
    }
}
