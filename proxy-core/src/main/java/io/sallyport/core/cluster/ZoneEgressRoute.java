package io.sallyport.core.cluster;

import java.util.Objects;

/**
 * How a sidecar reaches a MeshExternalService through the zone egress (the Mesh has
 * {@code routing.zoneEgress: true} and mTLS, and a ZoneEgress document exists): the cluster's only
 * endpoint is then the egress, and the connection carries mesh mTLS with the Kuma SNI of the service.
 *
 * @param mesh        the service's mesh (the egress must be {@code spiffe://<mesh>/zone-egress})
 * @param service     the MeshExternalService's name
 * @param displayName its {@code kuma.io/display-name} label, else its name (what the SNI carries)
 * @param port        its {@code match.port} (what the SNI carries)
 * @param egress      the ZoneEgress's {@code networking.address:port}
 */
public record ZoneEgressRoute(String mesh, String service, String displayName, int port, Endpoint egress) {
    public ZoneEgressRoute {
        Objects.requireNonNull(mesh, "mesh");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(egress, "egress");
    }
}
