package io.sallyport.core.relay;

import io.sallyport.core.cluster.Cluster;
import java.util.Objects;

/**
 * Where a listener's connections go, as of one snapshot: the cluster ({@code null} when the service
 * is gone: the connection is closed with {@code NR}), whether the Mesh forbids the access, and the
 * listener's name and meters.
 */
public record TcpProxyTarget(String listenerName, ListenerStats listenerStats, Cluster cluster, boolean forbidden) {
    public TcpProxyTarget {
        Objects.requireNonNull(listenerName, "listenerName");
        Objects.requireNonNull(listenerStats, "listenerStats");
    }
}
