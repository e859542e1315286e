/**
 * Proxy statistics under Envoy's names ({@code envoy_cluster_upstream_cx_total{envoy_cluster_name="x"}})
 * so existing Envoy and Kuma dashboards work, rendered in the Prometheus text format.
 */
package io.sallyport.core.metrics;
