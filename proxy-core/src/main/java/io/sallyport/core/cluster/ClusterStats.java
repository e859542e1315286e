package io.sallyport.core.cluster;

import io.sallyport.core.metrics.Stats;

/**
 * The meters of one cluster under Envoy's names, looked up once when the cluster is built so the data
 * path only increments. Tagged {@code envoy_cluster_name}.
 */
public record ClusterStats(
        Stats.Counter cxTotal, Stats.Gauge cxActive, Stats.Counter connectFail, Stats.Counter connectTimeout,
        Stats.Counter noneHealthy, Stats.Counter txBytes, Stats.Counter rxBytes, Stats.Counter cxDestroy) {

    public static final String TAG = "envoy_cluster_name";

    public static ClusterStats of(Stats stats, String clusterName) {
        return new ClusterStats(
                stats.counter("envoy_cluster_upstream_cx_total", TAG, clusterName),
                stats.gauge("envoy_cluster_upstream_cx_active", TAG, clusterName),
                stats.counter("envoy_cluster_upstream_cx_connect_fail", TAG, clusterName),
                stats.counter("envoy_cluster_upstream_cx_connect_timeout", TAG, clusterName),
                stats.counter("envoy_cluster_upstream_cx_none_healthy", TAG, clusterName),
                stats.counter("envoy_cluster_upstream_cx_tx_bytes_total", TAG, clusterName),
                stats.counter("envoy_cluster_upstream_cx_rx_bytes_total", TAG, clusterName),
                stats.counter("envoy_cluster_upstream_cx_destroy", TAG, clusterName));
    }
}
