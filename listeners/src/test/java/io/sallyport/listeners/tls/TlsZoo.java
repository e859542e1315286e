package io.sallyport.listeners.tls;

import io.sallyport.testing.TestCertificates;
import io.sallyport.testing.TestCertificates.Issued;
import io.sallyport.testing.TestCertificates.KeyType;
import java.security.KeyPair;

/** The certificates of the listener TLS tests, generated once per JVM (one EC key shared by the leaves). */
final class TlsZoo {

    static final String HOST = "api.example.test";
    static final String SPIFFE = "spiffe://example.local/ns/local/sa/api";

    static final Issued ROOT;
    static final Issued GOOD;
    static final Issued EXPIRED;
    static final Issued NOT_YET_VALID;
    static final Issued WRONG_HOST;
    static final Issued SELF_SIGNED;
    static final Issued UNTRUSTED;
    static final Issued SPIFFE_ONLY;
    static final Issued CLIENT_ROOT;
    static final Issued CLIENT;
    static final Issued CLIENT_RSA;

    static {
        KeyPair leafKey = TestCertificates.newKeyPair(KeyType.EC_P256);
        ROOT = TestCertificates.builder("Listener Zoo Root CA").ca().build();
        Issued intermediate = TestCertificates.builder("Listener Zoo Intermediate CA").ca().issuer(ROOT).build();
        GOOD = TestCertificates.builder("good").issuer(intermediate).keyPair(leafKey)
                .dns(HOST).ip("127.0.0.1").build();
        EXPIRED = TestCertificates.builder("expired").issuer(intermediate).keyPair(leafKey)
                .dns(HOST).ip("127.0.0.1").expired().build();
        NOT_YET_VALID = TestCertificates.builder("not yet valid").issuer(intermediate).keyPair(leafKey)
                .dns(HOST).ip("127.0.0.1").notYetValid().build();
        WRONG_HOST = TestCertificates.builder("wrong host").issuer(intermediate).keyPair(leafKey)
                .dns("other.example.test").build();
        SELF_SIGNED = TestCertificates.builder("self-signed").keyPair(leafKey).dns(HOST).ip("127.0.0.1").build();
        Issued otherRoot = TestCertificates.builder("Untrusted Root CA").ca().build();
        UNTRUSTED = TestCertificates.builder("untrusted").issuer(otherRoot).keyPair(leafKey)
                .dns(HOST).ip("127.0.0.1").build();
        SPIFFE_ONLY = TestCertificates.builder("spiffe").issuer(intermediate).keyPair(leafKey).uri(SPIFFE).build();
        CLIENT_ROOT = TestCertificates.builder("Client Root CA").ca().build();
        CLIENT = TestCertificates.builder("client").issuer(CLIENT_ROOT).keyPair(leafKey)
                .uri("spiffe://example.local/ns/local/sa/client").build();
        // Its key is given as PKCS#1 ("BEGIN RSA PRIVATE KEY"), the form of Kuma's tcp-mtls example.
        CLIENT_RSA = TestCertificates.builder("rsa client").issuer(CLIENT_ROOT).keyType(KeyType.RSA_2048).build();
    }

    private TlsZoo() {
    }
}
