package io.sallyport.egress.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshCertificateAuthorityTest {

    @TempDir
    Path tmp;

    @Test
    void issuedWorkloadCertificateChainsToTheCaAndCarriesTheSpiffeId() throws Exception {
        Path caDir = tmp.resolve("ca");
        MeshCertificateAuthority.init(caDir, "default", MeshCertificateAuthority.DEFAULT_CA_VALIDITY);
        assertThat(Files.getPosixFilePermissions(caDir.resolve("ca.key")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));

        MeshCertificateAuthority ca = MeshCertificateAuthority.load(caDir);
        assertThat(ca.mesh()).isEqualTo("default");
        Path out = tmp.resolve("backend");
        ca.issue("spiffe://default/backend", out, Duration.ofDays(30));

        X509Certificate caCert = read(caDir.resolve("ca.crt"));
        X509Certificate leaf = read(out.resolve("tls.crt"));
        assertThat(caCert.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(leaf.getSubjectAlternativeNames())
                .contains(List.of(6, "spiffe://default/backend"), List.of(2, "backend"));
        assertThat(leaf.getNotAfter().getTime() - leaf.getNotBefore().getTime())
                .isBetween(Duration.ofDays(30).toMillis(), Duration.ofDays(30).plusMinutes(6).toMillis());

        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(caCert, null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(
                CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), params);
        assertThat(Files.readString(out.resolve("ca.crt"))).isEqualTo(Files.readString(caDir.resolve("ca.crt")));
    }

    @Test
    void opensslAgreesTheChainIsValidForClientAndServerUse() throws Exception {
        Path caDir = tmp.resolve("ca");
        MeshCertificateAuthority ca = MeshCertificateAuthority.init(caDir, "mesh-1", Duration.ofDays(10));
        ca.issue("spiffe://mesh-1/zone-egress", tmp.resolve("egress"), Duration.ofDays(1));
        for (String purpose : List.of("sslserver", "sslclient")) {
            Process p = new ProcessBuilder("openssl", "verify", "-purpose", purpose,
                    "-CAfile", caDir.resolve("ca.crt").toString(), tmp.resolve("egress/tls.crt").toString())
                    .redirectErrorStream(true).start();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.exitValue()).as(output).isZero();
            assertThat(output).contains(": OK");
        }
        Process k = new ProcessBuilder("openssl", "pkey", "-in", tmp.resolve("egress/tls.key").toString(), "-noout")
                .redirectErrorStream(true).start();
        assertThat(k.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(k.exitValue()).isZero();
    }

    @Test
    void refusesSpiffeIdsOfAnotherMeshOrMalformed() throws Exception {
        MeshCertificateAuthority ca = MeshCertificateAuthority.init(tmp.resolve("ca"), "default", Duration.ofDays(1));
        assertThatThrownBy(() -> ca.issue("spiffe://other/backend", tmp.resolve("x"), Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--spiffe-id: trust domain \"other\" is not this CA's mesh \"default\"");
        assertThatThrownBy(() -> ca.issue("https://default/backend", tmp.resolve("x"), Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--spiffe-id: must look like spiffe://default/<service>");
        assertThatThrownBy(() -> MeshCertificateAuthority.init(tmp.resolve("y"), "Bad_Mesh", Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--mesh: must be a lower-case DNS label, got Bad_Mesh");
    }

    @Test
    void leafNeverOutlivesItsCa() throws Exception {
        MeshCertificateAuthority ca = MeshCertificateAuthority.init(tmp.resolve("ca"), "default", Duration.ofDays(2));
        X509Certificate leaf = ca.issue("spiffe://default/a", tmp.resolve("a"), Duration.ofDays(365));
        assertThat(leaf.getNotAfter()).isEqualTo(ca.certificate().getNotAfter());
    }

    private static X509Certificate read(Path p) throws Exception {
        try (InputStream in = Files.newInputStream(p)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
