package io.sallyport.app;

import io.sallyport.Main;
import io.sallyport.core.accesslog.AccessLog;
import io.sallyport.core.accesslog.AccessLogFormat;
import io.sallyport.core.cluster.ClusterSpec;
import io.sallyport.core.cluster.UpstreamChannelInitializer;
import io.sallyport.core.runtime.DataPlaneComponent;
import io.sallyport.core.runtime.ProxyType;
import io.sallyport.egress.identity.CertificatesView;
import io.sallyport.egress.identity.MeshIdentity;
import io.sallyport.egress.listener.EgressListener;
import io.sallyport.egress.upstream.ZoneEgressInitializers;
import io.sallyport.listeners.tls.UpstreamTlsInitializers;
import java.io.IOException;
import java.util.function.Function;

/**
 * The zone egress parts of a {@code sallyport run} process: in egress mode the {@link EgressListener}
 * (it needs the mesh identity), in sidecar mode the upstream initializers that send MeshExternalService
 * traffic through the egress when the Mesh says so. The identity, when given, is watched for rotation
 * and shown on {@code /certs} and in {@code /config_dump}.
 */
final class ZoneEgressComponents {

    private ZoneEgressComponents() {
    }

    /** The egress listener in egress mode, else nothing. */
    static DataPlaneComponent egress(ComponentContext ctx) {
        if (ctx.options().proxyType() != ProxyType.EGRESS) {
            return null;
        }
        MeshIdentity identity = identity(ctx);
        if (identity == null) {
            throw new CommandFailure(Main.EXIT_INVALID,
                    "sallyport run: egress mode needs --mesh-ca, --identity-cert and --identity-key");
        }
        AccessLogFormat format = ctx.settings().accessLogFormat() == ServerSettings.AccessLogFormat.JSON
                ? AccessLogFormat.JSON : AccessLogFormat.ENVOY;
        return EgressListener.standalone(ctx.stats(), AccessLog.stdout(format),
                new io.sallyport.core.http.StdoutHttpAccessLog(format == AccessLogFormat.JSON),
                ctx.settings().drainTimeout(), identity, UpstreamTlsInitializers.shared(ctx.stats()),
                ctx.settings().concurrency());
    }

    /**
     * A sidecar's upstream initializers: through the zone egress with the mesh identity where the cluster
     * says so, else the services' own TLS origination ({@code direct}, or the process-wide one when
     * {@code null}).
     */
    static Function<ClusterSpec, UpstreamChannelInitializer> sidecarUpstreams(
            ComponentContext ctx, Function<ClusterSpec, UpstreamChannelInitializer> direct) {
        Function<ClusterSpec, UpstreamChannelInitializer> tls =
                direct != null ? direct : UpstreamTlsInitializers.shared(ctx.stats());
        if (ctx.options().proxyType() == ProxyType.EGRESS) {
            return tls;
        }
        return new ZoneEgressInitializers(identity(ctx), ctx.stats(), tls);
    }

    /** The mesh identity of the command line, loaded and watched; {@code null} when not given. */
    private static MeshIdentity identity(ComponentContext ctx) {
        ServerSettings s = ctx.settings();
        if (s.meshCa() == null) {
            return null;
        }
        MeshIdentity identity;
        try {
            identity = MeshIdentity.load(s.meshCa(), s.identityCert(), s.identityKey());
        } catch (IOException e) {
            throw new CommandFailure(Main.EXIT_INVALID, "sallyport run: mesh identity: " + e.getMessage());
        }
        identity.startWatching(MeshIdentity.DEFAULT_POLL_INTERVAL);
        CertificatesView.register(ctx.adminRoutes(), identity);
        return identity;
    }
}
