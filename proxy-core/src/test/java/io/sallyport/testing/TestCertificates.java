package io.sallyport.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemObjectGenerator;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * A certificate zoo for tests: root and intermediate CAs, leaves with chosen DNS, IP and URI SANs,
 * arbitrary validity windows and self-signed certificates, generated with BouncyCastle and written
 * as PEM strings or files.
 *
 * <pre>{@code
 * KeyPair key = TestCertificates.newKeyPair(KeyType.EC_P256);   // reuse keys: generation is the slow part
 * Issued root = TestCertificates.builder("Test Root").ca().keyPair(key).build();
 * Issued leaf = TestCertificates.builder("api").issuer(root).dns("api.example.test").ip("127.0.0.1").build();
 * String chain = leaf.chainPem();
 * }</pre>
 */
public final class TestCertificates {

    /** Key algorithms: EC P-256 is fast to generate; RSA 2048 only where PKCS#1 output is needed. */
    public enum KeyType { EC_P256, RSA_2048 }

    private static final SecureRandom RANDOM = new SecureRandom();

    private TestCertificates() {
    }

    /** A fresh key pair. */
    public static KeyPair newKeyPair(KeyType type) {
        try {
            if (type == KeyType.RSA_2048) {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048, RANDOM);
                return generator.generateKeyPair();
            }
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A builder for a certificate whose subject is {@code CN=<commonName>}. */
    public static Builder builder(String commonName) {
        return new Builder(commonName);
    }

    /** Describes one certificate; {@link #build()} signs it (self-signed unless an issuer is set). */
    public static final class Builder {
        private final String commonName;
        private KeyPair keyPair;
        private KeyType keyType = KeyType.EC_P256;
        private Issued issuer;
        private boolean ca;
        private Instant notBefore = Instant.now().minus(Duration.ofHours(1));
        private Instant notAfter = Instant.now().plus(Duration.ofDays(30));
        private final List<GeneralName> sans = new ArrayList<>();

        private Builder(String commonName) {
            this.commonName = Objects.requireNonNull(commonName, "commonName");
        }

        /** Use this key pair instead of generating one. */
        public Builder keyPair(KeyPair keyPair) {
            this.keyPair = keyPair;
            return this;
        }

        /** Generate a key of this type (when no key pair is given). */
        public Builder keyType(KeyType keyType) {
            this.keyType = keyType;
            return this;
        }

        /** Signed by {@code issuer} (which must be a CA); without one the certificate is self-signed. */
        public Builder issuer(Issued issuer) {
            this.issuer = issuer;
            return this;
        }

        /** A CA certificate (basicConstraints CA:true, keyCertSign). */
        public Builder ca() {
            this.ca = true;
            return this;
        }

        public Builder dns(String... names) {
            for (String n : names) {
                sans.add(new GeneralName(GeneralName.dNSName, n));
            }
            return this;
        }

        public Builder ip(String... addresses) {
            for (String a : addresses) {
                sans.add(new GeneralName(GeneralName.iPAddress, a));
            }
            return this;
        }

        public Builder uri(String... uris) {
            for (String u : uris) {
                sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, u));
            }
            return this;
        }

        public Builder validity(Instant notBefore, Instant notAfter) {
            this.notBefore = notBefore;
            this.notAfter = notAfter;
            return this;
        }

        /** Valid from 2 days ago until yesterday. */
        public Builder expired() {
            return validity(Instant.now().minus(Duration.ofDays(2)), Instant.now().minus(Duration.ofDays(1)));
        }

        /** Valid from tomorrow for a month. */
        public Builder notYetValid() {
            return validity(Instant.now().plus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(31)));
        }

        public Issued build() {
            KeyPair keys = keyPair != null ? keyPair : newKeyPair(keyType);
            X500Name subject = new X500Name("CN=" + commonName);
            X500Name issuerName = issuer == null ? subject : new X500Name(
                    issuer.certificate().getSubjectX500Principal().getName());
            PrivateKey signingKey = issuer == null ? keys.getPrivate() : issuer.privateKey();
            try {
                JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
                X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                        issuerName, new BigInteger(63, RANDOM).add(BigInteger.ONE),
                        Date.from(notBefore), Date.from(notAfter), subject, keys.getPublic());
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
                b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
                b.addExtension(Extension.authorityKeyIdentifier, false, issuer == null
                        ? ext.createAuthorityKeyIdentifier(keys.getPublic())
                        : ext.createAuthorityKeyIdentifier(issuer.certificate()));
                if (ca) {
                    b.addExtension(Extension.keyUsage, true, new KeyUsage(
                            KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
                } else {
                    b.addExtension(Extension.keyUsage, true, new KeyUsage(
                            KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
                }
                if (!sans.isEmpty()) {
                    b.addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(sans.toArray(GeneralName[]::new)));
                }
                String signatureAlgorithm = "RSA".equals(signingKey.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
                X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                        b.build(new JcaContentSignerBuilder(signatureAlgorithm).build(signingKey)));
                return new Issued(certificate, keys, issuer);
            } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
                throw new IllegalStateException("cannot issue test certificate " + commonName, e);
            }
        }
    }

    /** An issued certificate with its key pair and the issuer that signed it (null when self-signed). */
    public record Issued(X509Certificate certificate, KeyPair keyPair, Issued issuer) {

        public PrivateKey privateKey() {
            return keyPair.getPrivate();
        }

        /** This certificate followed by its issuers up to, but excluding, the self-signed root. */
        public List<X509Certificate> chain() {
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(certificate);
            for (Issued i = issuer; i != null && i.issuer != null; i = i.issuer) {
                chain.add(i.certificate);
            }
            return List.copyOf(chain);
        }

        /** The self-signed certificate at the top of this certificate's chain. */
        public Issued root() {
            Issued i = this;
            while (i.issuer != null) {
                i = i.issuer;
            }
            return i;
        }

        public String certificatePem() {
            return pem(certificate);
        }

        /** {@link #chain()} as concatenated PEM blocks, leaf first. */
        public String chainPem() {
            StringBuilder out = new StringBuilder();
            for (X509Certificate c : chain()) {
                out.append(pemOf(c));
            }
            return out.toString();
        }

        /** {@code BEGIN PRIVATE KEY} (PKCS#8). */
        public String privateKeyPkcs8Pem() {
            try {
                return pem(new JcaPKCS8Generator(privateKey(), null));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * OpenSSL's traditional form: {@code BEGIN RSA PRIVATE KEY} (PKCS#1) for RSA keys,
         * {@code BEGIN EC PRIVATE KEY} (SEC1) for EC keys.
         */
        public String privateKeyTraditionalPem() {
            if (!"EC".equals(privateKey().getAlgorithm())) {
                return pem(privateKey());
            }
            // BouncyCastle's generic writer leaves the curve out of SEC1; OpenSSL always writes it.
            PrivateKeyInfo pkcs8 = PrivateKeyInfo.getInstance(privateKey().getEncoded());
            SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(keyPair.getPublic().getEncoded());
            BigInteger secret = ((java.security.interfaces.ECPrivateKey) privateKey()).getS();
            int bits = ((java.security.interfaces.ECPrivateKey) privateKey()).getParams().getOrder().bitLength();
            try {
                ECPrivateKey sec1 = new ECPrivateKey(bits, secret, spki.getPublicKeyData(),
                        pkcs8.getPrivateKeyAlgorithm().getParameters());
                return pem(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** {@code BEGIN ENCRYPTED PRIVATE KEY} (PKCS#8, AES-256-CBC), for testing that it is refused. */
        public String privateKeyEncryptedPem(String password) {
            try {
                OutputEncryptor encryptor = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                        .setProvider(new BouncyCastleProvider()).setPassword(password.toCharArray()).setRandom(RANDOM).build();
                return pem(new JcaPKCS8Generator(privateKey(), encryptor));
            } catch (OperatorCreationException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Writes {@link #certificatePem()} to {@code dir/name} and returns the path. */
        public Path writeCertificate(Path dir, String name) {
            return write(dir.resolve(name), certificatePem());
        }

        /** Writes {@link #chainPem()} to {@code dir/name} and returns the path. */
        public Path writeChain(Path dir, String name) {
            return write(dir.resolve(name), chainPem());
        }

        /** Writes {@link #privateKeyPkcs8Pem()} to {@code dir/name} and returns the path. */
        public Path writePrivateKey(Path dir, String name) {
            return write(dir.resolve(name), privateKeyPkcs8Pem());
        }
    }

    /** One certificate as a PEM block. */
    public static String pemOf(X509Certificate certificate) {
        return pem(certificate);
    }

    /** Writes {@code text} to {@code path} (UTF-8) and returns the path. */
    public static Path write(Path path, String text) {
        try {
            Files.writeString(path, text, StandardCharsets.UTF_8);
            return path;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pem(Object objectOrGenerator) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            if (objectOrGenerator instanceof PemObject o) {
                writer.writeObject(o);
            } else if (objectOrGenerator instanceof PemObjectGenerator g) {
                writer.writeObject(g);
            } else {
                writer.writeObject(objectOrGenerator);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
