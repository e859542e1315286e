package io.sallyport.egress.listener;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import io.sallyport.core.http.UpstreamTlsHandlerFactory;
import io.sallyport.tls.UpstreamTlsContextFactory;
import io.sallyport.tls.UpstreamTlsSpec;
import java.util.List;
import java.util.Objects;

/**
 * TLS origination of an HTTP MeshExternalService's connections at the egress: the service's TLS spec
 * with the ALPN the HTTP pool asks for, over the process's context cache. A record, so equal specs make
 * equal factories (poolable connections).
 */
record MesHttpTls(UpstreamTlsSpec spec, UpstreamTlsContextFactory factory) implements UpstreamTlsHandlerFactory {

    MesHttpTls {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(factory, "factory");
    }

    @Override
    public SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort, List<String> alpnProtocols) {
        return factory.get(spec.withAlpn(alpnProtocols)).newHandler(alloc, peerHost, peerPort);
    }
}
