package io.sallyport.core.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.util.List;

/**
 * Makes the client {@link SslHandler} for one upstream connection (TLS origination), offering the given
 * ALPN protocols. Implemented by the TLS origination module; equal factories mean poolable connections.
 */
@FunctionalInterface
public interface UpstreamTlsHandlerFactory {

    /**
     * @param alpnProtocols e.g. {@code ["h2"]} for an HTTP/2 cluster or {@code ["http/1.1"]}; the handler
     *                      must offer them when the underlying context supports ALPN
     */
    SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort, List<String> alpnProtocols);
}
