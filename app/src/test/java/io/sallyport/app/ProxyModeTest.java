package io.sallyport.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.core.config.ConfigLoader;
import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.LoadResult;
import io.sallyport.core.runtime.ProxyType;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ProxyModeTest {

    private static final String EGRESS = """
            type: ZoneEgress
            name: egress
            networking:
              address: 127.0.0.1
              port: 10002
              admin:
                port: 9911
            """;

    private static final String DATAPLANE = """
            type: Dataplane
            name: app
            mesh: default
            networking:
              address: 127.0.0.1
              admin:
                port: 9902
            """;

    private static ConfigSet parse(String yaml) {
        LoadResult r = ConfigLoader.parse("test.yaml", yaml);
        assertThat(r.errors()).isEmpty();
        return r.config();
    }

    @Test
    void theModeFollowsTheConfigUnlessGiven() {
        assertThat(ProxyServer.resolveProxyType(null, parse(DATAPLANE))).isEqualTo(ProxyType.DATAPLANE);
        assertThat(ProxyServer.resolveProxyType(null, parse(EGRESS))).isEqualTo(ProxyType.EGRESS);
        assertThat(ProxyServer.resolveProxyType(null, parse(DATAPLANE + "---\n" + EGRESS))).isEqualTo(ProxyType.DATAPLANE);
        assertThat(ProxyServer.resolveProxyType(ProxyType.EGRESS, parse(DATAPLANE + "---\n" + EGRESS)))
                .isEqualTo(ProxyType.EGRESS);
        assertThat(ProxyServer.resolveProxyType(null, ConfigSet.EMPTY)).isEqualTo(ProxyType.DATAPLANE);
    }

    @Test
    void theDefaultAdminPortComesFromTheResourceOfTheMode() {
        ConfigSet both = parse(DATAPLANE + "---\n" + EGRESS);
        assertThat(ProxyServer.defaultAdminAddress(ProxyType.DATAPLANE, both))
                .isEqualTo(new InetSocketAddress("127.0.0.1", 9902));
        assertThat(ProxyServer.defaultAdminAddress(ProxyType.EGRESS, both))
                .isEqualTo(new InetSocketAddress("127.0.0.1", 9911));
        assertThat(ProxyServer.defaultAdminAddress(ProxyType.DATAPLANE, ConfigSet.EMPTY))
                .isEqualTo(new InetSocketAddress("127.0.0.1", 9901));
    }
}
