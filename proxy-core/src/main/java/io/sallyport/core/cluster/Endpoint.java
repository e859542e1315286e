package io.sallyport.core.cluster;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.Objects;

/**
 * Where an upstream service listens: an IP literal, a DNS name resolved at connect time, or a unix
 * domain socket path.
 */
public sealed interface Endpoint {

    /** The endpoint as an access log or admin page shows it. */
    String describe();

    /** An IPv4 or IPv6 literal and a port. */
    record Ip(InetAddress address, int port) implements Endpoint {
        public Ip {
            Objects.requireNonNull(address, "address");
            checkPort(port);
        }

        @Override
        public String describe() {
            return NetUtil.toSocketAddressString(NetUtil.toAddressString(address), port);
        }
    }

    /** A DNS name, resolved asynchronously (with a TTL-respecting cache) on every connect. */
    record DnsName(String hostname, int port) implements Endpoint {
        public DnsName {
            Objects.requireNonNull(hostname, "hostname");
            checkPort(port);
        }

        @Override
        public String describe() {
            return hostname + ":" + port;
        }
    }

    /** A unix domain socket path (from {@code unix:///path}). */
    record UnixPath(String path) implements Endpoint {
        public UnixPath {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String describe() {
            return "unix://" + path;
        }
    }

    /**
     * Parses a MeshExternalService endpoint: {@code unix:///path}, an IP literal, else a DNS name.
     * {@code port} is ignored for unix sockets and required otherwise.
     *
     * @throws IllegalArgumentException with a message fit for a config error
     */
    static Endpoint parse(String address, Integer port) {
        Objects.requireNonNull(address, "address");
        if (address.startsWith("unix://")) {
            String path = address.substring("unix://".length());
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("unix socket address must be unix:///absolute/path: " + address);
            }
            return new UnixPath(path);
        }
        if (port == null) {
            throw new IllegalArgumentException("port is required for " + address);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535: " + port);
        }
        String literal = address.startsWith("[") && address.endsWith("]")
                ? address.substring(1, address.length() - 1) : address;
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(literal);
        if (ip != null) {
            try {
                return new Ip(InetAddress.getByAddress(ip), port);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("invalid IP address " + address, e);
            }
        }
        if (address.isEmpty() || address.length() > 253 || !address.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("not an IP address, DNS name or unix:// path: " + address);
        }
        return new DnsName(address, port);
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535: " + port);
        }
    }
}
