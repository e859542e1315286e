package io.sallyport.sni.sniff;

import java.util.List;
import java.util.Objects;

/**
 * What {@link ClientHelloSniffer} found at the start of a connection: more bytes needed, not TLS, or a
 * complete ClientHello with its server name and ALPN protocols.
 *
 * @param status     the verdict
 * @param serverName the first {@code host_name} of the SNI extension as sent, or {@code null} when the
 *                   hello has none (always null unless {@code status} is {@link Status#TLS})
 * @param alpn       the ALPN protocol names in the client's order, empty when the hello has none
 */
public record ClientHelloResult(Status status, String serverName, List<String> alpn) {

    /** Not enough bytes yet to decide. */
    public static final ClientHelloResult NEED_MORE = new ClientHelloResult(Status.NEED_MORE, null, List.of());
    /** Not a TLS ClientHello (or a malformed or oversized one). */
    public static final ClientHelloResult NOT_TLS = new ClientHelloResult(Status.NOT_TLS, null, List.of());

    public ClientHelloResult {
        Objects.requireNonNull(status, "status");
        alpn = List.copyOf(alpn);
    }

    /** A complete ClientHello. */
    public static ClientHelloResult tls(String serverName, List<String> alpn) {
        return new ClientHelloResult(Status.TLS, serverName, alpn);
    }

    /** The verdict of a sniff. */
    public enum Status { NEED_MORE, NOT_TLS, TLS }
}
