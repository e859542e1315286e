package io.sallyport.core.runtime;

import io.sallyport.core.cluster.ClusterSpec;
import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.hostname.HostnameTable;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One immutable, compiled view of the configuration: everything the data path reads. A reload builds
 * a new snapshot and swaps one reference in {@link SnapshotHolder}.
 *
 * @param listeners the outbound and VIP listeners to bind, in config order
 * @param clusters  the clusters by name (one per MeshExternalService)
 * @param hostnames generated hostnames and the VIP of every MeshExternalService that has one (the DNS
 *                  responder serves it; VIP listeners are bound from it)
 * @param transparent the transparent listener and its MeshPassthrough, or {@code null} when the sidecar
 *                    does not use transparent proxying
 */
public record Snapshot(long generation, Instant createdAt, ConfigSet config, List<ListenerSpec> listeners,
                       Map<String, ClusterSpec> clusters, HostnameTable hostnames, TransparentSpec transparent) {

    public Snapshot {
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(config, "config");
        listeners = List.copyOf(listeners);
        clusters = Map.copyOf(clusters);
        Objects.requireNonNull(hostnames, "hostnames");
    }

    /** A snapshot without a transparent listener. */
    public Snapshot(long generation, Instant createdAt, ConfigSet config, List<ListenerSpec> listeners,
                    Map<String, ClusterSpec> clusters, HostnameTable hostnames) {
        this(generation, createdAt, config, listeners, clusters, hostnames, null);
    }

    /** A snapshot with no listener, cluster or hostname (for components that read only the config). */
    public Snapshot(long generation, Instant createdAt, ConfigSet config) {
        this(generation, createdAt, config, List.of(), Map.of(), HostnameTable.EMPTY, null);
    }
}
