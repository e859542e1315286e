package io.sallyport.core.pem;

import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.util.io.pem.PemHeader;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Parses one unencrypted PEM private key: PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1
 * ({@code BEGIN RSA PRIVATE KEY}, the form Kuma's documentation uses) or SEC1
 * ({@code BEGIN EC PRIVATE KEY}, optionally preceded by {@code BEGIN EC PARAMETERS}). Encrypted keys
 * are refused with a message saying how to decrypt them: there is nowhere to configure a passphrase.
 */
public final class PemPrivateKeys {

    private static final String ENCRYPTED_HINT =
            "encrypted private keys are not supported (no passphrase can be configured); "
                    + "decrypt it first, e.g. `openssl pkey -in encrypted.pem -out key.pem`";

    private PemPrivateKeys() {
    }

    /**
     * The single private key in {@code pem}.
     *
     * @throws PemException when the input is not PEM, holds no key or more than one, is encrypted, or
     *         does not decode
     */
    public static PrivateKey parse(byte[] pem) throws PemException {
        List<PemObject> keys = new ArrayList<>();
        ASN1Encodable ecParameters = null;
        for (PemObject block : PemBlocks.read(pem, "PRIVATE KEY")) {
            switch (block.getType()) {
                // Emitted by `openssl ecparam -genkey`; used when the key itself does not name its curve.
                case "EC PARAMETERS" -> ecParameters = ecParameters(block);
                case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY" -> keys.add(block);
                case "ENCRYPTED PRIVATE KEY" -> throw new PemException(ENCRYPTED_HINT);
                case "CERTIFICATE" -> throw new PemException(
                        "expected a private key but found a CERTIFICATE block (are clientCert and clientKey swapped?)");
                default -> throw new PemException("expected a private key but found a \"" + block.getType() + "\" block");
            }
        }
        if (keys.isEmpty()) {
            throw new PemException("no private key found");
        }
        if (keys.size() > 1) {
            throw new PemException("expected one private key, found " + keys.size());
        }
        PemObject key = keys.get(0);
        for (Object h : key.getHeaders()) {
            PemHeader header = (PemHeader) h;
            // Legacy OpenSSL encryption: "Proc-Type: 4,ENCRYPTED" and a DEK-Info header.
            if ("Proc-Type".equalsIgnoreCase(header.getName()) && header.getValue().contains("ENCRYPTED")) {
                throw new PemException(ENCRYPTED_HINT);
            }
        }
        try {
            return new JcaPEMKeyConverter().getPrivateKey(toPkcs8(key, ecParameters));
        } catch (PemException e) {
            throw e;
        } catch (Exception e) {
            throw new PemException("\"" + key.getType() + "\" does not decode: " + e.getMessage(), e);
        }
    }

    private static ASN1Encodable ecParameters(PemObject block) throws PemException {
        try {
            return ASN1Primitive.fromByteArray(block.getContent());
        } catch (java.io.IOException | RuntimeException e) {
            throw new PemException("\"EC PARAMETERS\" does not decode: " + e.getMessage(), e);
        }
    }

    private static PrivateKeyInfo toPkcs8(PemObject key, ASN1Encodable ecParameters) throws PemException, java.io.IOException {
        byte[] der = key.getContent();
        switch (key.getType()) {
            case "PRIVATE KEY":
                return PrivateKeyInfo.getInstance(der);
            case "RSA PRIVATE KEY":
                return new PrivateKeyInfo(
                        new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                        RSAPrivateKey.getInstance(der));
            case "EC PRIVATE KEY": {
                ECPrivateKey ec = ECPrivateKey.getInstance(der);
                ASN1Encodable curve = ec.getParametersObject() != null ? ec.getParametersObject() : ecParameters;
                if (curve == null) {
                    throw new PemException("\"EC PRIVATE KEY\" does not name its curve");
                }
                return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve), ec);
            }
            default:
                throw new PemException("unsupported key type " + key.getType());
        }
    }
}
