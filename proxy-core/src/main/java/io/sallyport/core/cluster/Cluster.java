package io.sallyport.core.cluster;

import io.sallyport.core.metrics.Stats;
import java.util.Objects;

/**
 * A cluster as the data path uses it: its {@link ClusterSpec}, its meters, its round-robin cursor and
 * the initializer of its upstream channels ({@code null} for plain TCP).
 */
public final class Cluster {

    private final ClusterSpec spec;
    private final ClusterStats stats;
    private final EndpointSelector selector;
    private final UpstreamChannelInitializer initializer;

    public Cluster(ClusterSpec spec, ClusterStats stats, UpstreamChannelInitializer initializer) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.selector = new EndpointSelector(spec.levels(), spec.maxConnectAttempts());
        this.initializer = initializer;
    }

    /** A cluster with its meters registered in {@code stats} under the spec's name. */
    public static Cluster create(ClusterSpec spec, Stats stats, UpstreamChannelInitializer initializer) {
        return new Cluster(spec, ClusterStats.of(stats, spec.name()), initializer);
    }

    public String name() {
        return spec.name();
    }

    public ClusterSpec spec() {
        return spec;
    }

    public ClusterStats stats() {
        return stats;
    }

    public EndpointSelector selector() {
        return selector;
    }

    /** {@code null} for plain TCP. */
    public UpstreamChannelInitializer initializer() {
        return initializer;
    }

    @Override
    public String toString() {
        return "Cluster[" + spec.name() + "]";
    }
}
