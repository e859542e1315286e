package io.sallyport.egress.sni;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KumaSniTest {

    /** Values from Kuma's own table for {@code tls.SNIForResource} (pkg/tls/sni_test.go). */
    @ParameterizedTest
    @CsvSource({
        "backend, demo, mes, 8080, ae10a8071b8a8eeb8.backend.8080.demo.mes",
        "backend, demo, ms, 8080, ae10a8071b8a8eeb8.backend.8080.demo.ms",
        "backend, demo, mzms, 8080, ae10a8071b8a8eeb8.backend.8080.demo.mzms",
    })
    void matchesKumaTable(String name, String mesh, String type, int port, String expected) {
        assertThat(KumaSni.forResource(name, mesh, type, port)).isEqualTo(expected);
    }

    @Test
    void fnvMatchesKumaWithAdditionalData() {
        // Kuma hashes "backend;demo;x=a" for additional data {x: a}: a333a125865a97632.
        assertThat(Long.toHexString(KumaSni.fnv64a("backend;demo;x=a".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("333a125865a97632");
    }

    @Test
    void fnvKnownVectors() {
        assertThat(KumaSni.fnv64a(new byte[0])).isEqualTo(0xcbf29ce484222325L);
        assertThat(KumaSni.fnv64a("a".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0xaf63dc4c8601ec8cL);
        assertThat(KumaSni.fnv64a("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0x85944171f73967e8L);
    }

    @Test
    void longLabelsAreCutTo62PlusX() {
        String name = "a".repeat(62) + "-qwe";
        String mesh = "b".repeat(62) + "-qwe";
        String sni = KumaSni.forMeshExternalService(name, mesh, 443);
        String[] labels = sni.split("\\.");
        assertThat(labels).hasSize(5);
        assertThat(labels[1]).isEqualTo("a".repeat(62) + "x");
        assertThat(labels[3]).isEqualTo("b".repeat(62) + "x");
        // The hash is over the full names.
        assertThat(labels[0]).isEqualTo("a" + String.format("%016x",
                KumaSni.fnv64a((name + ";" + mesh + ";").getBytes(StandardCharsets.UTF_8))));
        assertThat(KumaSni.forMeshExternalService("a".repeat(62), "m", 1).split("\\.")[1]).isEqualTo("a".repeat(62));
    }

    @Test
    void hashIsZeroPadded() {
        // Every SNI's first label is "a" plus exactly 16 hex digits.
        for (int i = 0; i < 2000; i++) {
            assertThat(KumaSni.forMeshExternalService("svc" + i, "default", 443)).matches("a[0-9a-f]{16}\\..*");
        }
    }
}
