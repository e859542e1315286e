package io.sallyport.core.cluster;

import io.sallyport.core.metrics.Stats;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The runtime clusters of one snapshot by name. Building a table from the next snapshot's specs reuses
 * the previous table's cluster wherever the spec is unchanged (its round-robin cursor carries on).
 */
public final class ClusterTable {

    public static final ClusterTable EMPTY = new ClusterTable(Map.of());

    private final Map<String, Cluster> clusters;

    private ClusterTable(Map<String, Cluster> clusters) {
        this.clusters = Map.copyOf(clusters);
    }

    /**
     * @param initializers gives the upstream channel initializer of a spec ({@code null} result: plain);
     *                     may be {@code null} itself when nothing originates TLS
     */
    public static ClusterTable build(Collection<ClusterSpec> specs, Stats stats,
                                     Function<ClusterSpec, UpstreamChannelInitializer> initializers,
                                     ClusterTable previous) {
        Map<String, Cluster> out = new HashMap<>();
        for (ClusterSpec spec : specs) {
            Cluster old = previous == null ? null : previous.clusters.get(spec.name());
            if (old != null && old.spec().equals(spec)) {
                out.put(spec.name(), old);
            } else {
                UpstreamChannelInitializer init = initializers == null ? null : initializers.apply(spec);
                out.put(spec.name(), Cluster.create(spec, stats, init));
            }
        }
        return new ClusterTable(out);
    }

    /** The cluster named {@code name}, or {@code null}. */
    public Cluster get(String name) {
        return clusters.get(name);
    }

    public Map<String, Cluster> asMap() {
        return clusters;
    }
}
