package io.sallyport.core.pem;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;

/**
 * Checks that a private key belongs to a certificate, by signing a fixed message with the key and
 * verifying it with the certificate's public key. That works the same for RSA, EC and EdDSA keys and
 * needs no algorithm-specific arithmetic.
 */
public final class CertificateKeyMatch {

    private static final byte[] PROBE = "sallyport certificate/key match".getBytes(StandardCharsets.US_ASCII);

    private CertificateKeyMatch() {
    }

    /**
     * Returns normally when {@code key} is the private half of {@code certificate}'s public key.
     *
     * @throws PemException naming the certificate's subject when they do not match
     */
    public static void check(X509Certificate certificate, PrivateKey key) throws PemException {
        PublicKey publicKey = certificate.getPublicKey();
        String subject = certificate.getSubjectX500Principal().getName();
        String certAlgorithm = family(publicKey.getAlgorithm());
        String keyAlgorithm = family(key.getAlgorithm());
        if (!certAlgorithm.equals(keyAlgorithm)) {
            throw new PemException("private key is " + keyAlgorithm + " but the certificate (" + subject
                    + ") has a " + certAlgorithm + " public key");
        }
        String signatureAlgorithm = switch (certAlgorithm) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> publicKey.getAlgorithm();
            case "DSA" -> "SHA256withDSA";
            default -> throw new PemException("unsupported key algorithm " + certAlgorithm);
        };
        boolean matches;
        try {
            Signature signer = Signature.getInstance(signatureAlgorithm);
            signer.initSign(key);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(signatureAlgorithm);
            verifier.initVerify(publicKey);
            verifier.update(PROBE);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            // e.g. an EC key on a different curve than the certificate's
            matches = false;
        }
        if (!matches) {
            throw new PemException("private key does not match the certificate (" + subject + ")");
        }
    }

    private static String family(String algorithm) {
        return "ECDSA".equals(algorithm) ? "EC" : algorithm;
    }
}
