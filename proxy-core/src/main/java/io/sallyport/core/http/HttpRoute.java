package io.sallyport.core.http;

import java.util.Objects;

/**
 * Where one request goes: a cluster, with the timeouts that apply to it (the route's MeshTimeout, else the
 * cluster's), and whether {@code Host}/{@code :authority} is rewritten to the endpoint's host (Kuma's
 * {@code autoHostRewrite}, on for MeshExternalService).
 *
 * @param forbidden the Mesh forbids access to the cluster: every request is answered {@code 403} (gRPC status
 *                  7, PERMISSION_DENIED) without an upstream connection
 */
public record HttpRoute(HttpCluster cluster, HttpTimeouts timeouts, boolean autoHostRewrite, boolean forbidden) {

    public HttpRoute {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(timeouts, "timeouts");
    }

    /** An allowed route. */
    public HttpRoute(HttpCluster cluster, HttpTimeouts timeouts, boolean autoHostRewrite) {
        this(cluster, timeouts, autoHostRewrite, false);
    }

    /** The same route with every request refused ({@code 403}) because the Mesh forbids the access. */
    public HttpRoute forbid() {
        return new HttpRoute(cluster, timeouts, autoHostRewrite, true);
    }

    /** The cluster with its own timeouts and host rewrite on. */
    public static HttpRoute to(HttpCluster cluster) {
        return new HttpRoute(cluster, cluster.timeouts(), true);
    }
}
