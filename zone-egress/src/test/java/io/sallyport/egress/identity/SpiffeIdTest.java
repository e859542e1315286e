package io.sallyport.egress.identity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SpiffeIdTest {

    @Test
    void parsesKumaIds() {
        SpiffeId id = SpiffeId.parse("spiffe://default/ns/web/sa/web-app");
        assertThat(id.mesh()).isEqualTo("default");
        assertThat(id.service()).isEqualTo("web-app");
        assertThat(SpiffeId.parse("spiffe://default/web").service()).isEqualTo("web");
    }

    @Test
    void refusesNonSpiffe() {
        assertThat(SpiffeId.parse("https://default/web")).isNull();
        assertThat(SpiffeId.parse("spiffe://default")).isNull();
        assertThat(SpiffeId.parse("spiffe://default/")).isNull();
        assertThat(SpiffeId.parse("spiffe:///web")).isNull();
        assertThat(SpiffeId.parse(null)).isNull();
    }
}
