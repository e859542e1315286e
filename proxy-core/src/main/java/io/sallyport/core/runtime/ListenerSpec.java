package io.sallyport.core.runtime;

import io.netty.util.NetUtil;
import io.sallyport.core.config.Protocol;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One listener of a snapshot: a socket address to bind and the cluster its connections go to.
 * {@link Kind#OUTBOUND} listeners come from {@code Dataplane.networking.outbound[]}; {@link Kind#VIP}
 * listeners from a MeshExternalService's VIP and {@code match.port}. Listeners are identified by their
 * address: a reload that keeps the address keeps the bound socket.
 *
 * @param forbidden the Mesh forbids access to MeshExternalServices: connections are closed unforwarded
 */
public record ListenerSpec(String name, Kind kind, InetSocketAddress address, String cluster, Protocol protocol,
                           boolean forbidden) {

    /** Where a listener comes from. */
    public enum Kind { OUTBOUND, VIP }

    public ListenerSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(protocol, "protocol");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("listener address must be an IP address: " + address);
        }
    }

    /** Kuma's listener name for an outbound on {@code address}: {@code outbound:127.0.0.1:4242}. */
    public static String outboundName(InetSocketAddress address) {
        return "outbound:" + NetUtil.toSocketAddressString(address);
    }

    /** Envoy's {@code envoy_listener_address} tag value: {@code 127.0.0.1_4242}. */
    public String statsAddress() {
        return NetUtil.toAddressString(address.getAddress()) + "_" + address.getPort();
    }
}
