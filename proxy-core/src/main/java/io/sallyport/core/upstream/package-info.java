/**
 * Connecting to a cluster: {@link io.sallyport.core.upstream.UpstreamConnector} walks the cluster's
 * endpoint plan (priority order, round-robin, bounded attempts), resolves DNS names asynchronously,
 * connects on the downstream connection's own event loop with the cluster's connect timeout, runs the
 * cluster's upstream channel initializer (TLS origination) and counts what happened under Envoy's names.
 */
package io.sallyport.core.upstream;
