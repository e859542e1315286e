package io.sallyport.egress.listener;

import io.sallyport.core.cluster.Cluster;
import io.sallyport.core.config.Protocol;
import io.sallyport.core.metrics.Stats;

/** Where one Kuma SNI leads at the egress: the MeshExternalService, its protocol, cluster and decision counters. */
record EgressRoute(String service, Protocol protocol, Cluster cluster, Stats.Counter allowed, Stats.Counter denied) {
}
