package io.sallyport.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.Dataplane;
import io.sallyport.core.config.Origin;
import io.sallyport.core.config.ResourceMeta;
import io.sallyport.core.runtime.ProxyType;
import io.sallyport.core.runtime.TransparentSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConfigListingTest {

    private final ConfigSet config = new ConfigSet(List.of(new Dataplane(
            new ResourceMeta("Dataplane", "app", null, null, Map.of(), Origin.synthetic("test.yaml")),
            "127.0.0.1", List.of(), 9901, new Dataplane.TransparentProxying(15001), List.of())));

    @AfterEach
    void clearBindAddress() {
        System.clearProperty(TransparentSpec.BIND_ADDRESS_PROPERTY);
    }

    @Test
    void theTransparentListenerIsListedAtTheAddressItBinds() {
        assertThat(ConfigListing.listeners(config, ProxyType.DATAPLANE)).containsExactly(
                new ConfigListing.ListenerEntry("outbound:transparent", "0.0.0.0:15001", "original destination"));
        System.setProperty(TransparentSpec.BIND_ADDRESS_PROPERTY, "127.0.0.2");
        assertThat(ConfigListing.listeners(config, ProxyType.DATAPLANE)).containsExactly(
                new ConfigListing.ListenerEntry("outbound:transparent", "127.0.0.2:15001", "original destination"));
    }
}
