package io.sallyport.core.http;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * One upstream endpoint of an HTTP cluster: where to connect, the host name put in {@code Host} /
 * {@code :authority} (Kuma's {@code autoHostRewrite}), and TLS origination when the cluster has TLS.
 * Records are pool keys: equal endpoints share pooled connections.
 *
 * @param address  resolved or unresolved socket address, or a unix domain socket address
 * @param host     the endpoint's host as configured (DNS name or IP literal), used for {@code Host}
 * @param port     the endpoint's port (0 for unix sockets), for the {@code Host} header and TLS
 * @param tls      {@code null} for plaintext
 */
public record UpstreamEndpoint(SocketAddress address, String host, int port, UpstreamTlsHandlerFactory tls) {

    public UpstreamEndpoint {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(host, "host");
    }

    /** A plaintext endpoint at {@code host:port} (the address left unresolved when {@code host} is a name). */
    public static UpstreamEndpoint plain(String host, int port) {
        return new UpstreamEndpoint(InetSocketAddress.createUnresolved(host, port), host, port, null);
    }

    /** A plaintext endpoint at a resolved address. */
    public static UpstreamEndpoint plain(InetSocketAddress address) {
        return new UpstreamEndpoint(address, address.getHostString(), address.getPort(), null);
    }

    /** The {@code Host} / {@code :authority} value: the host, with the port when it is not the scheme's default. */
    public String authority() {
        boolean defaultPort = port == 0 || (tls == null ? port == 80 : port == 443);
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return defaultPort ? h : h + ":" + port;
    }

    /** For logs: {@code host:port} as Envoy's {@code %UPSTREAM_HOST%}. */
    public String describe() {
        if (address instanceof InetSocketAddress isa) {
            String h = isa.isUnresolved() ? isa.getHostString() : isa.getAddress().getHostAddress();
            return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + isa.getPort();
        }
        return address.toString();
    }
}
