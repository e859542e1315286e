package io.sallyport.core.runtime;

import io.sallyport.core.config.ConfigSet;
import java.time.Instant;
import java.util.Objects;

/**
 * One immutable, compiled view of the configuration: everything the data path reads. A reload builds
 * a new snapshot and swaps one reference in {@link SnapshotHolder}.
 */
public record Snapshot(long generation, Instant createdAt, ConfigSet config) {

    public Snapshot {
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(config, "config");
    }
}
