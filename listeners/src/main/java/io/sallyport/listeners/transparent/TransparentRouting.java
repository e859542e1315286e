package io.sallyport.listeners.transparent;

import io.sallyport.core.cluster.ClusterSpec;
import io.sallyport.core.relay.ListenerStats;
import io.sallyport.core.relay.TcpProxyTarget;
import io.sallyport.core.runtime.TransparentSpec;
import io.sallyport.listeners.http.HttpServiceRoute;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;

/**
 * What the transparent listener knows as of one snapshot: its spec and meters, the MeshExternalService
 * listeners by the address an application dials (VIP:port, outbound address:port), and the compiled
 * MeshPassthrough. Read once per accepted connection.
 *
 * @param services the MeshExternalService targets by the destination that reaches them
 * @param noMatch  the target of refused connections (no cluster: closed unforwarded with {@code NR},
 *                 counted in {@code envoy_listener_no_filter_chain_match})
 * @param http     the per-request routing of HTTP connections on passthrough HTTP ports
 * @param httpServices the MeshExternalServices with an HTTP protocol among {@code services}: their
 *                 connections get the service's HTTP connection manager instead of the TCP relay
 */
record TransparentRouting(TransparentSpec spec, ListenerStats listenerStats, Map<InetSocketAddress, TcpProxyTarget> services,
                          PassthroughTable passthrough, TcpProxyTarget noMatch, PassthroughHttpClusters http,
                          Map<InetSocketAddress, HttpServiceRoute> httpServices) {

    TransparentRouting {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(listenerStats, "listenerStats");
        services = Map.copyOf(services);
        Objects.requireNonNull(passthrough, "passthrough");
        Objects.requireNonNull(noMatch, "noMatch");
        Objects.requireNonNull(http, "http");
        httpServices = Map.copyOf(httpServices);
    }

    /** Connect timeout of passthrough clusters: Kuma's default. */
    static final java.time.Duration CONNECT_TIMEOUT = ClusterSpec.DEFAULT_CONNECT_TIMEOUT;
}
