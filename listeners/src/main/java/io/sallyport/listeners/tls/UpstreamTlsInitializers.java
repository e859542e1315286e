package io.sallyport.listeners.tls;

import io.sallyport.core.cluster.ClusterSpec;
import io.sallyport.core.cluster.UpstreamChannelInitializer;
import io.sallyport.core.config.ConfigError;
import io.sallyport.core.metrics.Stats;
import io.sallyport.tls.UpstreamTls;
import io.sallyport.tls.UpstreamTlsContext;
import io.sallyport.tls.UpstreamTlsContextFactory;
import io.sallyport.tls.UpstreamTlsSpecs;
import io.sallyport.tls.UpstreamTlsStats;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Gives each cluster its upstream channel initializer: {@code null} (plain TCP) unless its
 * MeshExternalService has {@code tls.enabled}, else a {@link TlsOriginationInitializer} over the cached
 * context of its TLS spec. Pass it to {@code ListenerManager}.
 *
 * <p>{@link #apply} runs when a snapshot is applied, on the reload thread: it builds the TLS spec from
 * the material the snapshot compiler read ({@link ClusterSpec#tlsMaterial()}) and gets (or builds) the
 * {@code SslContext}, which may read the system CA bundle. Nothing here reads files on an event loop.
 */
public final class UpstreamTlsInitializers implements Function<ClusterSpec, UpstreamChannelInitializer> {

    private final Supplier<UpstreamTlsContextFactory> factory;
    private final Stats stats;

    /**
     * @param factory the context cache (its engine and system CA); one per process
     * @param stats   where the {@code envoy_cluster_ssl_*} counters are registered
     */
    public UpstreamTlsInitializers(UpstreamTlsContextFactory factory, Stats stats) {
        Objects.requireNonNull(factory, "factory");
        this.factory = () -> factory;
        this.stats = Objects.requireNonNull(stats, "stats");
    }

    /**
     * Over a factory made on first use: the process-wide one sets up BoringSSL (and the JDK's TLS stack,
     * which Netty probes), ~0.1 s that a config without TLS origination need not spend before {@code /ready}.
     */
    private UpstreamTlsInitializers(Supplier<UpstreamTlsContextFactory> factory, Stats stats) {
        this.factory = factory;
        this.stats = Objects.requireNonNull(stats, "stats");
    }

    /** Over the process-wide context factory (default engine, system CA from the environment). */
    public static UpstreamTlsInitializers shared(Stats stats) {
        return new UpstreamTlsInitializers(UpstreamTls::factory, stats);
    }

    /**
     * @return {@code null} for a plain cluster
     * @throws IllegalArgumentException when the cluster's TLS settings cannot be turned into a context
     *         (material the validator accepted always can)
     */
    @Override
    public UpstreamChannelInitializer apply(ClusterSpec cluster) {
        if (!cluster.originatesTls()) {
            return null;
        }
        if (cluster.tlsMaterial() == null) {
            // Falling back to "no caCert" would trust the system CA instead of the configured one.
            throw new IllegalArgumentException("cluster " + cluster.name()
                    + " originates TLS but its TLS material was not read when the config was compiled");
        }
        UpstreamTlsSpecs.Resolution r = UpstreamTlsSpecs.resolve(cluster.tls(), cluster.tlsMaterial());
        if (!r.ok()) {
            throw new IllegalArgumentException("cluster " + cluster.name() + ": " + r.errors().stream()
                    .map(ConfigError::toString).collect(Collectors.joining("; ")));
        }
        UpstreamTlsContext context = factory.get().get(r.spec());
        return new TlsOriginationInitializer(cluster.name(), context, new UpstreamTlsStats(stats, cluster.name()));
    }
}
