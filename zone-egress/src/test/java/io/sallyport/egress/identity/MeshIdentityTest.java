package io.sallyport.egress.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sallyport.testing.TestCertificates;
import io.sallyport.testing.TestCertificates.Issued;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshIdentityTest {

    @TempDir
    Path dir;

    private final Issued ca = TestCertificates.builder("mesh CA").ca().uri("spiffe://default").build();

    private void write(Issued leaf) {
        TestCertificates.write(dir.resolve("ca.crt"), ca.certificatePem());
        TestCertificates.write(dir.resolve("tls.key"), leaf.privateKeyPkcs8Pem());
        TestCertificates.write(dir.resolve("tls.crt"), leaf.certificatePem());
    }

    private MeshIdentity load() throws IOException {
        return MeshIdentity.load(dir.resolve("ca.crt"), dir.resolve("tls.crt"), dir.resolve("tls.key"));
    }

    @Test
    void watcherThreadSwapsTheIdentityWhenTheFilesChange() throws Exception {
        Issued first = TestCertificates.builder("egress").issuer(ca).uri("spiffe://default/zone-egress").build();
        write(first);
        try (MeshIdentity id = load()) {
            assertThat(id.current().spiffeId().uri()).isEqualTo("spiffe://default/zone-egress");
            assertThat(id.current().mesh()).isEqualTo("default");
            var serverBefore = id.serverContext();
            BlockingQueue<MeshIdentity.Material> changes = new ArrayBlockingQueue<>(4);
            id.onChange(changes::add);
            id.startWatching(Duration.ofMillis(20));

            Issued second = TestCertificates.builder("egress-2").issuer(ca).uri("spiffe://default/zone-egress").build();
            write(second);
            MeshIdentity.Material m = changes.poll(10, TimeUnit.SECONDS);
            assertThat(m).isNotNull();
            assertThat(m.leaf().getSerialNumber()).isEqualTo(second.certificate().getSerialNumber());
            assertThat(id.current()).isSameAs(m);
            assertThat(id.serverContext()).isNotSameAs(serverBefore);
            assertThat(id.reloads()).isEqualTo(1);
        }
    }

    @Test
    void refusesAnIdentityWithoutSpiffeIdOrNotFromTheCa() {
        write(TestCertificates.builder("web").issuer(ca).dns("web").build());
        assertThatThrownBy(this::load).isInstanceOf(IOException.class).hasMessageContaining("no spiffe://");

        Issued other = TestCertificates.builder("other CA").ca().build();
        Issued foreign = TestCertificates.builder("web").issuer(other).uri("spiffe://default/web").build();
        write(foreign);
        assertThatThrownBy(this::load).isInstanceOf(IOException.class).hasMessageContaining("not issued by the mesh CA");
    }

    @Test
    void refusesAKeyOfAnotherCertificate() {
        Issued a = TestCertificates.builder("a").issuer(ca).uri("spiffe://default/a").build();
        Issued b = TestCertificates.builder("b").issuer(ca).uri("spiffe://default/b").build();
        write(a);
        TestCertificates.write(dir.resolve("tls.key"), b.privateKeyPkcs8Pem());
        assertThatThrownBy(this::load).isInstanceOf(IOException.class).hasMessageContaining("tls.key");
    }
}
