package io.sallyport.core.http;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * One upstream endpoint of an HTTP cluster: where to connect, the host name put in {@code Host} /
 * {@code :authority} (Kuma's {@code autoHostRewrite}), and TLS origination when the cluster has TLS.
 * Endpoints are pool keys: equal endpoints share pooled connections. A channel source builds each once
 * per compiled endpoint, so the hash, the {@code Host} value and the log form are computed once here and
 * equality is usually decided by identity.
 */
public final class UpstreamEndpoint {

    private final SocketAddress address;
    private final String host;
    private final int port;
    private final UpstreamTlsHandlerFactory tls;
    private final int hash;
    private final String authority;
    private final String described;

    /**
     * @param address  resolved or unresolved socket address, or a unix domain socket address
     * @param host     the endpoint's host as configured (DNS name or IP literal), used for {@code Host}
     * @param port     the endpoint's port (0 for unix sockets), for the {@code Host} header and TLS
     * @param tls      {@code null} for plaintext
     */
    public UpstreamEndpoint(SocketAddress address, String host, int port, UpstreamTlsHandlerFactory tls) {
        this.address = Objects.requireNonNull(address, "address");
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.tls = tls;
        this.hash = Objects.hash(address, host, port, tls);
        this.authority = authorityOf(host, port, tls);
        this.described = describe(address);
    }

    /** A plaintext endpoint at {@code host:port} (the address left unresolved when {@code host} is a name). */
    public static UpstreamEndpoint plain(String host, int port) {
        return new UpstreamEndpoint(InetSocketAddress.createUnresolved(host, port), host, port, null);
    }

    /** A plaintext endpoint at a resolved address. */
    public static UpstreamEndpoint plain(InetSocketAddress address) {
        return new UpstreamEndpoint(address, address.getHostString(), address.getPort(), null);
    }

    public SocketAddress address() {
        return address;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** {@code null} for plaintext. */
    public UpstreamTlsHandlerFactory tls() {
        return tls;
    }

    /** The {@code Host} / {@code :authority} value: the host, with the port when it is not the scheme's default. */
    public String authority() {
        return authority;
    }

    /** For logs: {@code host:port} as Envoy's {@code %UPSTREAM_HOST%}. */
    public String describe() {
        return described;
    }

    private static String authorityOf(String host, int port, UpstreamTlsHandlerFactory tls) {
        boolean defaultPort = port == 0 || (tls == null ? port == 80 : port == 443);
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return defaultPort ? h : h + ":" + port;
    }

    private static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress isa) {
            String h = isa.isUnresolved() ? isa.getHostString() : isa.getAddress().getHostAddress();
            return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + isa.getPort();
        }
        return address.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof UpstreamEndpoint e && hash == e.hash && port == e.port && address.equals(e.address)
                && host.equals(e.host) && Objects.equals(tls, e.tls);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "UpstreamEndpoint[address=" + address + ", host=" + host + ", port=" + port + ", tls=" + tls + "]";
    }
}
