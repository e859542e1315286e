package io.sallyport.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConfigLoaderSmokeTest {

    @Test
    void readsUniversalMes() {
        LoadResult r = ConfigLoader.parse("a.yaml", """
                type: MeshExternalService
                name: mes-tcp
                mesh: default
                spec:
                  match:
                    type: HostnameGenerator
                    port: 4242
                    prot: tcp
                  endpoints:
                    - address: 127.0.0.1
                      port: 14242
                """);
        assertThat(r.errors()).extracting(ConfigError::toString).containsExactly(
                "a.yaml:8: MeshExternalService/mes-tcp: spec.match.prot: unknown field \"prot\"; did you mean \"protocol\"?");
    }
}
