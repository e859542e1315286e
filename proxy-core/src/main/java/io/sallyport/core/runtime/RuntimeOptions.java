package io.sallyport.core.runtime;

import java.nio.file.Path;

/**
 * Command-line settings that shape the compiled snapshot. {@code proxyType} is {@code null} for "decide
 * from the config" (dataplane if a Dataplane document exists); the mesh paths are {@code null} unless given.
 */
public record RuntimeOptions(ProxyType proxyType, String vipCidr, Path meshCa, Path identityCert, Path identityKey) {

    public static final String DEFAULT_VIP_CIDR = "242.0.0.0/8";

    public RuntimeOptions {
        vipCidr = vipCidr == null || vipCidr.isEmpty() ? DEFAULT_VIP_CIDR : vipCidr;
    }

    public static RuntimeOptions defaults() {
        return new RuntimeOptions(null, null, null, null, null);
    }
}
