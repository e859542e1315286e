package io.sallyport.core.http;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * The downstream connection's verified peer identity, set by whoever terminated the client's TLS (the zone
 * egress sets the caller's SPIFFE ID) and read by the HTTP access log ({@code %DOWNSTREAM_PEER_URI_SAN%}).
 */
public final class DownstreamPeer {

    /** The client certificate's URI SAN on the connection's channel; absent when no peer was verified. */
    public static final AttributeKey<String> URI_SAN = AttributeKey.valueOf("sallyport.downstreamPeerUriSan");

    private DownstreamPeer() {
    }

    /** The URI SAN set on the channel or, for an HTTP/2 stream, on its connection; {@code null} when none. */
    public static String uriSan(Channel ch) {
        for (Channel c = ch; c != null; c = c.parent()) {
            if (c.hasAttr(URI_SAN)) {
                return c.attr(URI_SAN).get();
            }
        }
        return null;
    }
}
