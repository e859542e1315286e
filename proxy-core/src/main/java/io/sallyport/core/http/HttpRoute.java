package io.sallyport.core.http;

import java.util.Objects;

/**
 * Where one request goes: a cluster, with the timeouts that apply to it (the route's MeshTimeout, else the
 * cluster's), and whether {@code Host}/{@code :authority} is rewritten to the endpoint's host (Kuma's
 * {@code autoHostRewrite}, on for MeshExternalService).
 */
public record HttpRoute(HttpCluster cluster, HttpTimeouts timeouts, boolean autoHostRewrite) {

    public HttpRoute {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(timeouts, "timeouts");
    }

    /** The cluster with its own timeouts and host rewrite on. */
    public static HttpRoute to(HttpCluster cluster) {
        return new HttpRoute(cluster, cluster.timeouts(), true);
    }
}
