package io.sallyport.egress.listener;

import io.sallyport.core.cluster.Cluster;
import io.sallyport.core.metrics.Stats;

/** Where one Kuma SNI leads at the egress: the MeshExternalService's cluster and its decision counters. */
record EgressRoute(String service, Cluster cluster, Stats.Counter allowed, Stats.Counter denied) {
}
