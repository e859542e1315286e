package io.sallyport.listeners.transparent;

import io.sallyport.core.cluster.ClusterStats;
import io.sallyport.core.config.MeshPassthrough;
import java.util.Objects;

/**
 * Where a matched passthrough connection goes: a {@code Domain} match connects to the domain's own
 * resolved addresses (the matched name, at the original port); an {@code IP}/{@code CIDR} match, or
 * {@code All} mode, connects to the original destination.
 *
 * @param match       the {@code appendMatch} entry, or {@code null} for {@code All} mode
 * @param clusterName the cluster name the connection is counted and logged under
 * @param stats       that cluster's meters
 */
public record PassthroughRoute(MeshPassthrough.AppendMatch match, String clusterName, ClusterStats stats) {

    public PassthroughRoute {
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(stats, "stats");
    }

    /** Whether the upstream is the matched domain's resolution rather than the original destination. */
    public boolean toDomain() {
        return match != null && match.type() == MeshPassthrough.MatchType.Domain;
    }

    /**
     * The cluster name of an {@code appendMatch} entry: {@code meshpassthrough_<protocol>_<value>_<port>}
     * ({@code *} for any port), as Kuma names the clusters it generates for them.
     */
    public static String clusterName(MeshPassthrough.AppendMatch match) {
        return "meshpassthrough_" + match.protocol().yamlName() + "_" + match.value() + "_"
                + (match.port() == null ? "*" : match.port());
    }
}
