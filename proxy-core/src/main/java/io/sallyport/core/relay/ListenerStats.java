package io.sallyport.core.relay;

import io.sallyport.core.metrics.Stats;

/**
 * The meters of one listener under Envoy's names, tagged {@code envoy_listener_address} (Envoy's form:
 * {@code 127.0.0.1_4242}). {@code forbidden} is Sallyport's own
 * {@code envoy_listener_downstream_cx_forbidden}: connections closed because the Mesh forbids access to
 * MeshExternalServices.
 */
public record ListenerStats(
        Stats.Counter cxTotal, Stats.Gauge cxActive, Stats.Counter cxDestroy, Stats.Counter forbidden,
        Stats.Counter noFilterChainMatch) {

    public static final String TAG = "envoy_listener_address";

    public static ListenerStats of(Stats stats, String listenerAddress) {
        return new ListenerStats(
                stats.counter("envoy_listener_downstream_cx_total", TAG, listenerAddress),
                stats.gauge("envoy_listener_downstream_cx_active", TAG, listenerAddress),
                stats.counter("envoy_listener_downstream_cx_destroy", TAG, listenerAddress),
                stats.counter("envoy_listener_downstream_cx_forbidden", TAG, listenerAddress),
                stats.counter("envoy_listener_no_filter_chain_match", TAG, listenerAddress));
    }
}
