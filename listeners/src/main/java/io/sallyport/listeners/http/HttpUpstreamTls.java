package io.sallyport.listeners.http;

import io.netty.handler.ssl.SslHandler;
import io.sallyport.core.cluster.Cluster;
import io.sallyport.core.http.UpstreamHttpProtocol;
import io.sallyport.core.http.UpstreamTlsHandlerFactory;
import io.sallyport.listeners.tls.TlsOriginationInitializer;
import io.sallyport.tls.UpstreamTls;
import io.sallyport.tls.UpstreamTlsContext;
import io.sallyport.tls.UpstreamTlsContextFactory;
import io.sallyport.tls.UpstreamTlsStats;
import io.sallyport.core.metrics.Stats;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * TLS origination of an HTTP cluster: the cluster's own TLS spec (resolved by the TCP path's
 * {@link TlsOriginationInitializer}) offering ALPN {@code h2} for http2/grpc clusters and {@code http/1.1}
 * for http ones, as an {@link UpstreamTlsHandlerFactory} for the HTTP connection pools.
 */
public final class HttpUpstreamTls {

    private final Supplier<UpstreamTlsContextFactory> factory;
    private final Stats stats;

    public HttpUpstreamTls(UpstreamTlsContextFactory factory, Stats stats) {
        Objects.requireNonNull(factory, "factory");
        this.factory = () -> factory;
        this.stats = Objects.requireNonNull(stats, "stats");
    }

    /**
     * Over a factory made on first use: the process-wide one sets up BoringSSL (and the JDK's TLS stack,
     * which Netty probes), ~0.1 s that a config without TLS origination need not spend before {@code /ready}.
     */
    private HttpUpstreamTls(Supplier<UpstreamTlsContextFactory> factory, Stats stats) {
        this.factory = factory;
        this.stats = Objects.requireNonNull(stats, "stats");
    }

    /** Over the process-wide context cache. */
    public static HttpUpstreamTls shared(Stats stats) {
        return new HttpUpstreamTls(UpstreamTls::factory, stats);
    }

    /** The ALPN list an HTTP cluster offers. */
    public static List<String> alpn(UpstreamHttpProtocol protocol) {
        return protocol == UpstreamHttpProtocol.HTTP2 ? List.of("h2") : List.of("http/1.1");
    }

    /**
     * @return {@code null} when the cluster is plaintext (its initializer is not TLS origination); else a
     *         factory whose handlers offer the protocol's ALPN. Builds the context here (reload thread).
     */
    public UpstreamTlsHandlerFactory forCluster(Cluster cluster, UpstreamHttpProtocol protocol) {
        if (!(cluster.initializer() instanceof TlsOriginationInitializer tls)) {
            return null;
        }
        UpstreamTlsContext context = factory.get().get(tls.context().spec().withAlpn(alpn(protocol)));
        UpstreamTlsStats tlsStats = new UpstreamTlsStats(stats, cluster.name());
        return (alloc, host, port, alpnProtocols) -> {
            SslHandler handler = context.newHandler(alloc, host, port);
            tlsStats.track(handler, host, port);
            return handler;
        };
    }
}
