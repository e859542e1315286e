package io.sallyport.core.runtime;

import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The transparent listener of a sidecar with {@code networking.transparentProxying}: the address it
 * binds ({@code redirectPortOutbound}, default 15001, on all IPv4 addresses unless the system property
 * {@value #BIND_ADDRESS_PROPERTY} names another address) and the MeshPassthrough it applies to traffic
 * that is not for a MeshExternalService.
 *
 * @param name        the listener's name (Kuma's {@code outbound:passthrough:ipv4} / {@code ipv6})
 * @param address     the socket address to bind
 * @param mesh        the sidecar's mesh (passthrough clusters belong to it)
 * @param passthrough the merged MeshPassthrough
 */
public record TransparentSpec(String name, InetSocketAddress address, String mesh, PassthroughSpec passthrough) {

    /** System property naming the address the transparent listener binds (tests use {@code 127.0.0.1}). */
    public static final String BIND_ADDRESS_PROPERTY = "sallyport.transparent.bindAddress";
    /** The default bind address: every IPv4 address of the host, as Kuma binds its outbound listener. */
    public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";

    /** The address the transparent listener binds: {@value #BIND_ADDRESS_PROPERTY}, else the default. */
    public static String configuredBindAddress() {
        return System.getProperty(BIND_ADDRESS_PROPERTY, DEFAULT_BIND_ADDRESS);
    }

    public TransparentSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(mesh, "mesh");
        Objects.requireNonNull(passthrough, "passthrough");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("transparent listener address must be an IP address: " + address);
        }
    }

    /** Envoy's {@code envoy_listener_address} tag value: {@code 0.0.0.0_15001}. */
    public String statsAddress() {
        return NetUtil.toAddressString(address.getAddress()) + "_" + address.getPort();
    }
}
