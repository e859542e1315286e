package io.sallyport.app;

import java.net.InetSocketAddress;

/** Parses {@code HOST:PORT} and {@code [IPv6]:PORT} command-line values into socket addresses. */
public final class HostPort {

    private HostPort() {
    }

    /**
     * The address for {@code value}; port 0 means "any free port".
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    public static InetSocketAddress parse(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("expected HOST:PORT, got an empty value");
        }
        String host;
        String port;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0 || close + 1 >= value.length() || value.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("expected [IPv6]:PORT, got '" + value + "'");
            }
            host = value.substring(1, close);
            port = value.substring(close + 2);
        } else {
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || value.indexOf(':') != colon) {
                throw new IllegalArgumentException("expected HOST:PORT, got '" + value + "'");
            }
            host = value.substring(0, colon);
            port = value.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port '" + port + "' is not a number in '" + value + "'");
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("port " + p + " is outside 0-65535 in '" + value + "'");
        }
        InetSocketAddress address = new InetSocketAddress(host, p);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("unknown host '" + host + "' in '" + value + "'");
        }
        return address;
    }

    /** {@code host:port}, with brackets around IPv6 literals. */
    public static String format(InetSocketAddress a) {
        String host = a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
