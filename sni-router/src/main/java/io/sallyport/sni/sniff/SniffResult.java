package io.sallyport.sni.sniff;

import java.util.List;
import java.util.Objects;

/**
 * The user event {@link ProtocolSniffHandler} fires once per connection, before it passes on any byte:
 * what the connection speaks and the names to route it by.
 *
 * @param protocol   what the first bytes are
 * @param serverName the TLS SNI {@code host_name} as sent (TLS only), or {@code null}
 * @param alpn       the ALPN protocols the TLS client offers, in its order (empty unless TLS)
 * @param httpHost   the HTTP/1 {@code Host} or HTTP/2 {@code :authority}, without port, or {@code null}
 * @param timedOut   whether the decision was forced by the sniff timeout rather than by the bytes
 */
public record SniffResult(SniffedProtocol protocol, String serverName, List<String> alpn, String httpHost,
                          boolean timedOut) {

    public SniffResult {
        Objects.requireNonNull(protocol, "protocol");
        alpn = List.copyOf(alpn);
    }

    /** A raw TCP result. */
    public static SniffResult raw(boolean timedOut) {
        return new SniffResult(SniffedProtocol.RAW, null, List.of(), null, timedOut);
    }

    /**
     * The name to match listener rules by: the SNI for TLS, the host for HTTP, {@code null} for raw TCP
     * or when the client sent none.
     */
    public String routingName() {
        return switch (protocol) {
            case TLS -> serverName;
            case HTTP1, HTTP2 -> httpHost;
            case RAW -> null;
        };
    }
}
