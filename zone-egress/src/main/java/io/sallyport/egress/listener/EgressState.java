package io.sallyport.egress.listener;

import io.sallyport.core.upstream.UpstreamConnector;
import io.sallyport.egress.identity.MeshIdentity;
import io.sallyport.egress.permission.PermissionTable;
import java.util.Map;

/**
 * What a connection accepted by the egress uses for its whole life, as of one snapshot: the routes by
 * Kuma SNI, the permissions, the meters and the listener's name. Replaced as a whole on reload.
 */
record EgressState(String listenerName, Map<String, EgressRoute> routes, PermissionTable permissions,
                   EgressStats stats, MeshIdentity identity, UpstreamConnector connector) {
    EgressState {
        routes = Map.copyOf(routes);
    }
}
