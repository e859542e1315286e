/**
 * Clusters: the compiled, immutable {@link io.sallyport.core.cluster.ClusterSpec} of one upstream service
 * (endpoints by priority level, timeouts, TLS spec), its runtime {@link io.sallyport.core.cluster.Cluster}
 * (meters, round-robin cursor, upstream channel initializer), and the asynchronous DNS
 * {@link io.sallyport.core.cluster.EndpointResolver}.
 *
 * <p>Endpoint selection: the lowest priority level is tried first, round-robin inside a level, then the
 * next level; a plan is bounded by the cluster's maximum connect attempts. There is no active health
 * checking: a dead endpoint costs a failed connect attempt and the next endpoint is tried.
 */
package io.sallyport.core.cluster;
