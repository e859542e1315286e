package io.sallyport.core.cluster;

import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * One concrete address to connect to and the endpoint it came from (a DNS name keeps its hostname, which
 * TLS origination uses for SNI and the SAN check).
 */
public record EndpointAddress(Endpoint endpoint, SocketAddress address) {

    public EndpointAddress {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(address, "address");
    }

    /** The DNS name of a DNS endpoint, the IP literal of an IP endpoint, {@code null} for a unix socket. */
    public String hostname() {
        if (endpoint instanceof Endpoint.DnsName d) {
            return d.hostname();
        }
        if (endpoint instanceof Endpoint.Ip ip) {
            return NetUtil.toAddressString(ip.address());
        }
        return null;
    }

    /** {@code ip:port} (IPv6 in brackets) or the unix path, as Envoy's {@code %UPSTREAM_HOST%}. */
    public String describe() {
        if (address instanceof InetSocketAddress in && in.getAddress() != null) {
            return NetUtil.toSocketAddressString(in);
        }
        return endpoint instanceof Endpoint.UnixPath u ? u.path() : address.toString();
    }
}
