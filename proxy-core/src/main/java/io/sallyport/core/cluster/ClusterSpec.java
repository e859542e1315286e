package io.sallyport.core.cluster;

import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.config.MeshTimeout;
import io.sallyport.core.pem.TlsMaterial;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The immutable, compiled description of one upstream cluster (one per MeshExternalService): endpoints
 * grouped in priority levels (ascending), connect and idle timeouts, the bound on connect attempts per
 * downstream connection, and the TLS spec ({@code null} for plain traffic). Equal specs are
 * interchangeable, so a reload that does not change a cluster keeps its runtime state.
 *
 * @param idleTimeout {@link Duration#ZERO} for none
 * @param tlsMaterial the PEM material {@code tls} refers to, read when the config was compiled (compared by
 *                    content, so a changed certificate file makes a different spec); {@code null} without TLS
 * @param viaZoneEgress {@code null} when the sidecar connects the endpoints itself; else the cluster's
 *                    levels hold only the zone egress and this says how to reach the service through it
 * @param meshTimeouts the effective MeshTimeout of the cluster (every field set, Kuma's defaults for the
 *                     unset ones): the HTTP connection manager reads its {@code http.*} timeouts
 */
public record ClusterSpec(
        String name, String mesh, List<PriorityLevel> levels, Duration connectTimeout, Duration idleTimeout,
        int maxConnectAttempts, MeshExternalService.Tls tls, TlsMaterial tlsMaterial, ZoneEgressRoute viaZoneEgress,
        MeshTimeout.Timeouts meshTimeouts) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);
    /** Attempts per downstream connection: enough to cross a dead endpoint or two, never unbounded. */
    public static final int DEFAULT_MAX_CONNECT_ATTEMPTS = 5;

    public ClusterSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mesh, "mesh");
        levels = levels.stream().sorted(Comparator.comparingInt(PriorityLevel::priority)).toList();
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive: " + connectTimeout);
        }
        if (maxConnectAttempts < 1) {
            throw new IllegalArgumentException("maxConnectAttempts must be at least 1: " + maxConnectAttempts);
        }
        meshTimeouts = meshTimeouts == null ? MeshTimeout.Timeouts.KUMA_DEFAULTS
                : meshTimeouts.over(MeshTimeout.Timeouts.KUMA_DEFAULTS);
    }

    /** A spec without resolved TLS material (plain clusters, tests). */
    public ClusterSpec(String name, String mesh, List<PriorityLevel> levels, Duration connectTimeout,
                       Duration idleTimeout, int maxConnectAttempts, MeshExternalService.Tls tls) {
        this(name, mesh, levels, connectTimeout, idleTimeout, maxConnectAttempts, tls, null, null, null);
    }

    /** A cluster that connects its endpoints directly, with Kuma's default HTTP timeouts. */
    public ClusterSpec(String name, String mesh, List<PriorityLevel> levels, Duration connectTimeout,
                       Duration idleTimeout, int maxConnectAttempts, MeshExternalService.Tls tls,
                       TlsMaterial tlsMaterial) {
        this(name, mesh, levels, connectTimeout, idleTimeout, maxConnectAttempts, tls, tlsMaterial, null, null);
    }

    /** A cluster with Kuma's default HTTP timeouts. */
    public ClusterSpec(String name, String mesh, List<PriorityLevel> levels, Duration connectTimeout,
                       Duration idleTimeout, int maxConnectAttempts, MeshExternalService.Tls tls,
                       TlsMaterial tlsMaterial, ZoneEgressRoute viaZoneEgress) {
        this(name, mesh, levels, connectTimeout, idleTimeout, maxConnectAttempts, tls, tlsMaterial, viaZoneEgress,
                null);
    }

    /** True when the cluster originates TLS to its endpoints. */
    public boolean originatesTls() {
        return tls != null && tls.enabled();
    }

    /** Number of endpoints over all levels. */
    public int endpointCount() {
        int n = 0;
        for (PriorityLevel l : levels) {
            n += l.endpoints().size();
        }
        return n;
    }
}
