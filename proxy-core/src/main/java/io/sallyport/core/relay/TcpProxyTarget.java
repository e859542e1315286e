package io.sallyport.core.relay;

import io.sallyport.core.cluster.Cluster;
import java.util.Objects;

/**
 * Where a listener's connections go, as of one snapshot: the cluster ({@code null} when the service
 * is gone: the connection is closed with {@code NR}), whether the Mesh forbids the access, and the
 * listener's name and meters.
 *
 * @param downstreamPeer the client's verified identity (its SPIFFE ID, at the zone egress) for the access
 *                       log; {@code null} when the client is not authenticated
 */
public record TcpProxyTarget(String listenerName, ListenerStats listenerStats, Cluster cluster, boolean forbidden,
                             String downstreamPeer) {
    public TcpProxyTarget {
        Objects.requireNonNull(listenerName, "listenerName");
        Objects.requireNonNull(listenerStats, "listenerStats");
    }

    /** A target for unauthenticated clients. */
    public TcpProxyTarget(String listenerName, ListenerStats listenerStats, Cluster cluster, boolean forbidden) {
        this(listenerName, listenerStats, cluster, forbidden, null);
    }
}
