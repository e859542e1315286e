package io.sallyport.egress.listener;

import io.sallyport.core.cluster.Cluster;
import io.sallyport.core.config.Protocol;
import io.sallyport.core.http.HttpConnectionManager;
import io.sallyport.core.metrics.Stats;

/**
 * Where one Kuma SNI leads at the egress: the MeshExternalService, its protocol, cluster and decision
 * counters, and for {@code http}/{@code http2}/{@code grpc} services the HTTP connection manager that
 * takes allowed callers' requests ({@code null}: relayed as bytes).
 */
record EgressRoute(String service, Protocol protocol, Cluster cluster, Stats.Counter allowed, Stats.Counter denied,
                   HttpConnectionManager http) {
}
