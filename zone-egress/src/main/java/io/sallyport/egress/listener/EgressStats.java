package io.sallyport.egress.listener;

import io.sallyport.core.metrics.Stats;
import io.sallyport.core.relay.ListenerStats;
import io.sallyport.egress.identity.VerifyFailure;
import java.util.EnumMap;
import java.util.Map;

/**
 * The zone egress listener's meters under Envoy's names, tagged {@code envoy_listener_address}: the
 * connection counters of {@link ListenerStats}, the downstream TLS outcomes
 * ({@code envoy_listener_ssl_handshake}, {@code ..._ssl_connection_error},
 * {@code ..._ssl_fail_verify_no_cert}, {@code ..._ssl_fail_verify_error}, {@code ..._ssl_fail_verify_san}),
 * and per MeshExternalService the permission decisions ({@code envoy_rbac_allowed},
 * {@code envoy_rbac_denied}, tagged {@code envoy_cluster_name}).
 */
final class EgressStats {

    private final Stats stats;
    final ListenerStats listener;
    final Stats.Counter handshake;
    final Stats.Counter connectionError;
    private final Map<VerifyFailure, Stats.Counter> verifyFailures = new EnumMap<>(VerifyFailure.class);

    EgressStats(Stats stats, String listenerAddress) {
        this.stats = stats;
        this.listener = ListenerStats.of(stats, listenerAddress);
        this.handshake = stats.counter("envoy_listener_ssl_handshake", ListenerStats.TAG, listenerAddress);
        this.connectionError = stats.counter("envoy_listener_ssl_connection_error", ListenerStats.TAG, listenerAddress);
        for (VerifyFailure f : VerifyFailure.values()) {
            verifyFailures.put(f, stats.counter(f.metric(), ListenerStats.TAG, listenerAddress));
        }
    }

    void verifyFailed(VerifyFailure failure) {
        connectionError.increment();
        verifyFailures.get(failure).increment();
    }

    Stats.Counter allowed(String service) {
        return stats.counter("envoy_rbac_allowed", "envoy_cluster_name", service);
    }

    Stats.Counter denied(String service) {
        return stats.counter("envoy_rbac_denied", "envoy_cluster_name", service);
    }
}
