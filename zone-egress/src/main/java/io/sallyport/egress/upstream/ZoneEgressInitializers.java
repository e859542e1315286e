package io.sallyport.egress.upstream;

import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Promise;
import io.sallyport.core.cluster.ClusterSpec;
import io.sallyport.core.cluster.UpstreamChannelInitializer;
import io.sallyport.core.cluster.UpstreamTransportException;
import io.sallyport.core.cluster.ZoneEgressRoute;
import io.sallyport.core.metrics.Stats;
import io.sallyport.egress.identity.MeshIdentity;
import io.sallyport.egress.sni.KumaSni;
import io.sallyport.listeners.tls.UpstreamTlsReadHold;
import io.sallyport.tls.TlsFailureReason;
import io.sallyport.tls.UpstreamTlsStats;
import java.util.Objects;
import java.util.function.Function;

/**
 * The sidecar side of zone egress routing: for a cluster whose spec says {@link ClusterSpec#viaZoneEgress()},
 * the upstream connection (to the egress) carries mesh mTLS with this proxy's {@link MeshIdentity}, the
 * service's Kuma SNI and ALPN {@code kuma}, and accepts only an egress certificate chained to the mesh CA
 * whose URI SAN is exactly {@code spiffe://<mesh>/zone-egress}. The sidecar does not originate the
 * service's own TLS then: the egress does. Every other cluster gets what {@code direct} gives (the TLS
 * origination of the service, or {@code null} for plain TCP).
 *
 * <p>Each connection takes the identity in force when it is opened, so a rotated certificate is used by
 * the next connection and live ones are untouched.
 */
public final class ZoneEgressInitializers implements Function<ClusterSpec, UpstreamChannelInitializer> {

    private final MeshIdentity identity;
    private final Stats stats;
    private final Function<ClusterSpec, UpstreamChannelInitializer> direct;

    /**
     * @param identity this proxy's mesh identity; {@code null} when none was configured ({@link #apply}
     *                 then refuses clusters that go through the egress, so the snapshot is not applied)
     * @param direct   the initializers of clusters that connect their endpoints directly; may be {@code null}
     */
    public ZoneEgressInitializers(MeshIdentity identity, Stats stats,
                                  Function<ClusterSpec, UpstreamChannelInitializer> direct) {
        this.identity = identity;
        this.stats = Objects.requireNonNull(stats, "stats");
        this.direct = direct;
    }

    @Override
    public UpstreamChannelInitializer apply(ClusterSpec cluster) {
        ZoneEgressRoute route = cluster.viaZoneEgress();
        if (route == null) {
            return direct == null ? null : direct.apply(cluster);
        }
        if (identity == null) {
            throw new IllegalArgumentException("MeshExternalService " + cluster.name() + " goes through the zone "
                    + "egress (Mesh " + route.mesh() + " has routing.zoneEgress and mTLS), which needs this proxy's "
                    + "mesh identity: give --mesh-ca, --identity-cert and --identity-key");
        }
        if (!identity.current().mesh().equals(route.mesh())) {
            throw new IllegalArgumentException("cluster " + cluster.name() + " is in mesh " + route.mesh()
                    + " but this proxy's identity " + identity.current().spiffeId() + " is not");
        }
        String sni = KumaSni.forMeshExternalService(route.displayName(), route.mesh(), route.port());
        UpstreamTlsStats tlsStats = new UpstreamTlsStats(stats, cluster.name());
        return (channel, target) -> {
            SslHandler ssl = identity.clientContext().newHandler(channel.alloc(), sni, route.port());
            // As for TLS origination: the hold keeps what the egress relays right after the handshake
            // (a server that speaks first) until the relay is installed.
            UpstreamTlsReadHold hold = new UpstreamTlsReadHold(cluster.name(), target.describe());
            channel.pipeline().addLast("mesh-tls-read-hold", hold);
            channel.pipeline().addBefore("mesh-tls-read-hold", "mesh-tls", ssl);
            Promise<Void> ready = channel.eventLoop().newPromise();
            tlsStats.track(ssl, target.describe() + " (zone egress, SNI " + sni + ")").addListener(f -> {
                if (f.isSuccess()) {
                    ready.trySuccess(null);
                    channel.eventLoop().execute(hold::release);
                } else {
                    TlsFailureReason reason = TlsFailureReason.of(f.cause());
                    ready.tryFailure(new UpstreamTransportException(reason.logName(), !reason.isVerification(),
                            "mesh TLS handshake with the zone egress failed (" + reason.logName() + "): "
                                    + f.cause().getMessage(), f.cause()));
                }
            });
            return ready;
        };
    }

    /** The SNI a cluster's connections to the egress send, or {@code null} for a direct cluster. */
    public static String sni(ClusterSpec cluster) {
        ZoneEgressRoute r = cluster.viaZoneEgress();
        return r == null ? null : KumaSni.forMeshExternalService(r.displayName(), r.mesh(), r.port());
    }
}
