package io.sallyport.core.pem;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Parses PEM certificates: a single certificate, a chain (leaf first) or a CA bundle. Validity dates are
 * not checked here: an expired certificate is a handshake failure, not a config error.
 */
public final class PemCertificates {

    private static final String CERTIFICATE = "CERTIFICATE";

    private PemCertificates() {
    }

    /**
     * Every {@code CERTIFICATE} block, in order.
     *
     * @throws PemException when the input is not PEM, has no certificate, holds a block of another kind
     *         (a private key pasted into a certificate field) or a certificate that does not decode
     */
    public static List<X509Certificate> parse(byte[] pem) throws PemException {
        List<X509Certificate> certificates = new ArrayList<>();
        CertificateFactory factory = x509Factory();
        int index = 0;
        for (PemObject block : PemBlocks.read(pem, CERTIFICATE)) {
            index++;
            if (!CERTIFICATE.equals(block.getType()) && !"X509 CERTIFICATE".equals(block.getType())) {
                throw new PemException("expected CERTIFICATE blocks, but block " + index + " is \""
                        + block.getType() + "\"");
            }
            try {
                certificates.add((X509Certificate) factory.generateCertificate(
                        new ByteArrayInputStream(block.getContent())));
            } catch (CertificateException | RuntimeException e) {
                throw new PemException("certificate " + index + " does not decode: " + e.getMessage(), e);
            }
        }
        return List.copyOf(certificates);
    }

    private static CertificateFactory x509Factory() throws PemException {
        try {
            return CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new PemException("no X.509 certificate factory in this JVM", e);
        }
    }
}
