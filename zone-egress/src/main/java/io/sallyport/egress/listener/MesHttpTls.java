package io.sallyport.egress.listener;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import io.sallyport.core.http.UpstreamTlsHandlerFactory;
import io.sallyport.core.metrics.Stats;
import io.sallyport.tls.UpstreamTlsContextFactory;
import io.sallyport.tls.UpstreamTlsSpec;
import io.sallyport.tls.UpstreamTlsStats;
import java.util.List;
import java.util.Objects;

/**
 * TLS origination of an HTTP MeshExternalService's connections at the egress: the service's TLS spec
 * with the ALPN the HTTP pool asks for, over the process's context cache, each handshake counted under
 * the service ({@code envoy_cluster_ssl_*}) as a sidecar's are. A record, so equal specs make equal
 * factories (poolable connections).
 */
record MesHttpTls(UpstreamTlsSpec spec, UpstreamTlsContextFactory factory, String cluster, Stats stats)
        implements UpstreamTlsHandlerFactory {

    MesHttpTls {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(stats, "stats");
    }

    @Override
    public SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort, List<String> alpnProtocols) {
        SslHandler handler = factory.get(spec.withAlpn(alpnProtocols)).newHandler(alloc, peerHost, peerPort);
        // Once per upstream connection (not per request): the counters are looked up, not created, after the first.
        new UpstreamTlsStats(stats, cluster).track(handler, peerHost + ":" + peerPort);
        return handler;
    }
}
