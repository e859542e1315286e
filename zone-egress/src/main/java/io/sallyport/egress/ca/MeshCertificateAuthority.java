package io.sallyport.egress.ca;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Locale;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A mesh CA on disk ({@code ca.crt}, {@code ca.key}) that signs SPIFFE workload certificates, as Kuma's
 * builtin CA backend does: EC P-256 keys, a URI SAN {@code spiffe://<mesh>/<service>} on every leaf,
 * and key usages for both TLS client and server so a certificate serves a sidecar and an egress alike.
 */
public final class MeshCertificateAuthority {

    public static final String CA_CERT_FILE = "ca.crt";
    public static final String CA_KEY_FILE = "ca.key";
    public static final String CERT_FILE = "tls.crt";
    public static final String KEY_FILE = "tls.key";

    /** Ten years, as Kuma's builtin CA. */
    public static final Duration DEFAULT_CA_VALIDITY = Duration.ofDays(3650);
    /** One year: long enough to run examples, short enough to be rotated. */
    public static final Duration DEFAULT_CERT_VALIDITY = Duration.ofDays(365);
    /** Tolerates clocks a little behind the issuer's. */
    private static final Duration BACKDATE = Duration.ofMinutes(5);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String mesh;
    private final X509Certificate caCert;
    private final PrivateKey caKey;

    private MeshCertificateAuthority(String mesh, X509Certificate caCert, PrivateKey caKey) {
        this.mesh = mesh;
        this.caCert = caCert;
        this.caKey = caKey;
    }

    public String mesh() {
        return mesh;
    }

    public X509Certificate certificate() {
        return caCert;
    }

    /** Mints a new CA for {@code mesh} and writes {@code ca.crt} and {@code ca.key} (mode 0600) into {@code dir}. */
    public static MeshCertificateAuthority init(Path dir, String mesh, Duration validity)
            throws IOException, GeneralSecurityException {
        requireDnsLabel(mesh, "mesh");
        KeyPair keys = newKeyPair();
        Instant now = Instant.now();
        X500Name subject = new X500Name("O=Sallyport,OU=" + mesh + ",CN=" + mesh + " mesh CA");
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
                Date.from(now.minus(BACKDATE)), Date.from(now.plus(validity)), subject, keys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
        b.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + mesh)));
        X509Certificate cert = sign(b, keys.getPrivate());

        Files.createDirectories(dir);
        writeAtomically(dir.resolve(CA_CERT_FILE), pem(cert), false);
        writeAtomically(dir.resolve(CA_KEY_FILE), pem(keys.getPrivate()), true);
        return new MeshCertificateAuthority(mesh, cert, keys.getPrivate());
    }

    /** Reads a CA written by {@link #init}; the mesh is taken from its {@code spiffe://<mesh>} SAN. */
    public static MeshCertificateAuthority load(Path dir) throws IOException, GeneralSecurityException {
        X509Certificate cert = readCertificate(dir.resolve(CA_CERT_FILE));
        PrivateKey key = readPrivateKey(dir.resolve(CA_KEY_FILE));
        String mesh = null;
        if (cert.getSubjectAlternativeNames() != null) {
            for (var san : cert.getSubjectAlternativeNames()) {
                if (((Integer) san.get(0)) == GeneralName.uniformResourceIdentifier) {
                    String uri = (String) san.get(1);
                    if (uri.startsWith("spiffe://")) {
                        mesh = uri.substring("spiffe://".length());
                    }
                }
            }
        }
        if (mesh == null) {
            throw new GeneralSecurityException(dir.resolve(CA_CERT_FILE) + ": not a mesh CA (no spiffe:// URI SAN)");
        }
        return new MeshCertificateAuthority(mesh, cert, key);
    }

    /**
     * Issues a certificate for {@code spiffeId} (which must be {@code spiffe://<this mesh>/<path>}) and
     * writes {@code tls.crt}, {@code tls.key} (mode 0600) and a copy of {@code ca.crt} into {@code dir}.
     * The leaf's DNS SAN is the last path segment, so tools that insist on one have it.
     */
    public X509Certificate issue(String spiffeId, Path dir, Duration validity)
            throws IOException, GeneralSecurityException {
        URI uri = parseSpiffeId(spiffeId);
        KeyPair keys = newKeyPair();
        Instant now = Instant.now();
        Instant notAfter = now.plus(validity);
        if (notAfter.isAfter(caCert.getNotAfter().toInstant())) {
            notAfter = caCert.getNotAfter().toInstant();
        }
        String path = uri.getPath();
        String lastSegment = path.substring(path.lastIndexOf('/') + 1);
        X500Name subject = new X500Name("O=Sallyport,OU=" + mesh + ",CN=" + lastSegment);
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                X500Name.getInstance(caCert.getSubjectX500Principal().getEncoded()), serial(),
                Date.from(now.minus(BACKDATE)), Date.from(notAfter), subject, keys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true,
                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement));
        b.addExtension(Extension.extendedKeyUsage, false,
                new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
        GeneralNames sans = isDnsLabel(lastSegment)
                ? new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId),
                    new GeneralName(GeneralName.dNSName, lastSegment)})
                : new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId));
        b.addExtension(Extension.subjectAlternativeName, true, sans);
        X509Certificate cert = sign(b, caKey);

        Files.createDirectories(dir);
        writeAtomically(dir.resolve(KEY_FILE), pem(keys.getPrivate()), true);
        writeAtomically(dir.resolve(CERT_FILE), pem(cert), false);
        writeAtomically(dir.resolve(CA_CERT_FILE), pem(caCert), false);
        return cert;
    }

    private URI parseSpiffeId(String spiffeId) {
        URI uri;
        try {
            uri = URI.create(spiffeId);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--spiffe-id: not a URI: " + spiffeId);
        }
        if (!"spiffe".equals(uri.getScheme()) || uri.getHost() == null || uri.getPath() == null
                || uri.getPath().length() < 2 || uri.getQuery() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException(
                    "--spiffe-id: must look like spiffe://" + mesh + "/<service>, got " + spiffeId);
        }
        if (!uri.getHost().equals(mesh)) {
            throw new IllegalArgumentException(
                    "--spiffe-id: trust domain \"" + uri.getHost() + "\" is not this CA's mesh \"" + mesh + "\"");
        }
        return uri;
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException {
        try {
            X509CertificateHolder holder = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key));
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    static String pem(Object o) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            // Keys as PKCS#8 ("BEGIN PRIVATE KEY"), which every TLS stack reads.
            if (o instanceof PrivateKey k) {
                w.writeObject(new JcaPKCS8Generator(k, null));
            } else {
                w.writeObject(o);
            }
        }
        return sw.toString();
    }

    private static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            if (!(o instanceof X509CertificateHolder h)) {
                throw new GeneralSecurityException(file + ": no PEM certificate");
            }
            return new JcaX509CertificateConverter().getCertificate(h);
        }
    }

    private static PrivateKey readPrivateKey(Path file) throws IOException, GeneralSecurityException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            JcaPEMKeyConverter c = new JcaPEMKeyConverter();
            if (o instanceof PrivateKeyInfo info) {
                return c.getPrivateKey(info);
            }
            if (o instanceof PEMKeyPair pair) {
                return c.getKeyPair(pair).getPrivate();
            }
            throw new GeneralSecurityException(file + ": no PEM private key");
        }
    }

    private static void writeAtomically(Path target, String content, boolean secret) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            if (secret) {
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // Not a POSIX file system: rely on the directory's permissions.
                }
            }
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.US_ASCII)) {
                w.write(content);
            }
            // A rename is atomic, so a proxy watching the file never reads half a certificate.
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static boolean isDnsLabel(String s) {
        return s.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    }

    private static void requireDnsLabel(String s, String what) {
        if (s == null || !isDnsLabel(s.toLowerCase(Locale.ROOT)) || !s.equals(s.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("--" + what + ": must be a lower-case DNS label, got " + s);
        }
    }
}
