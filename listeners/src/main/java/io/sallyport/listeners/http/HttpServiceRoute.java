package io.sallyport.listeners.http;

import io.netty.channel.Channel;
import io.sallyport.core.http.HttpAccessLog;
import io.sallyport.core.http.HttpConnectionManager;
import io.sallyport.core.http.HttpDownstreamLimits;
import io.sallyport.core.http.HttpRoute;
import io.sallyport.core.relay.ListenerStats;
import io.sallyport.core.runtime.ListenerSpec;
import java.util.Objects;

/**
 * The HTTP side of one MeshExternalService listener as of one snapshot: its route (forbidden when the
 * Mesh forbids the access), the connection manager put on its connections, and the lease on its cluster.
 * Used by the outbound/VIP listeners and by the transparent listener for connections dialed to a VIP.
 */
public record HttpServiceRoute(HttpRoute route, HttpConnectionManager manager, HttpClusters.Lease lease) {

    public HttpServiceRoute {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(manager, "manager");
        Objects.requireNonNull(lease, "lease");
    }

    /** The HTTP route of {@code spec}, or {@code null} when it is a TCP listener (or its cluster is gone). */
    public static HttpServiceRoute of(ListenerSpec spec, HttpClusters clusters, HttpAccessLog accessLog) {
        HttpClusters.Lease lease = HttpClusters.isHttp(spec) ? clusters.get(spec.cluster()) : null;
        if (lease == null) {
            return null;
        }
        HttpRoute route = HttpRoute.to(lease.http());
        if (spec.forbidden()) {
            route = route.forbid();
        }
        return new HttpServiceRoute(route, HttpConnectionManager.forRoute(route, accessLog,
                HttpDownstreamLimits.DEFAULTS.withIdleTimeout(lease.http().timeouts().idleTimeout())), lease);
    }

    /**
     * Sets up an accepted connection: counts it in the listener's meters, holds the cluster until the
     * connection ends (then runs {@code onEnd}), and adds the connection manager.
     */
    public void install(Channel ch, ListenerStats listenerStats, Runnable onEnd) {
        listenerStats.cxTotal().increment();
        listenerStats.cxActive().increment();
        if (route.forbidden()) {
            listenerStats.forbidden().increment();
        }
        lease.retain();
        ch.closeFuture().addListener(f -> {
            listenerStats.cxActive().decrement();
            listenerStats.cxDestroy().increment();
            lease.release();
            onEnd.run();
        });
        ch.pipeline().addLast("http-eof", CloseOnInputShutdown.INSTANCE);
        ch.pipeline().addLast("http", manager);
    }
}
