package io.sallyport.core.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A Kuma {@code MeshTimeout}. Sallyport applies its {@code to[]} entries whose {@code targetRef} is a
 * MeshExternalService (by name) or the Mesh; unset fields are {@code null} and take Kuma's defaults.
 */
public record MeshTimeout(ResourceMeta meta, List<To> to) implements Resource {

    public MeshTimeout {
        to = List.copyOf(to);
    }

    /** {@code to[]}. */
    public record To(MeshTrafficPermission.TargetRef targetRef, Timeouts timeouts) {
        public To {
            Objects.requireNonNull(targetRef, "targetRef");
            Objects.requireNonNull(timeouts, "timeouts");
        }
    }

    /** {@code to[].default}: any field may be {@code null} (not set here). */
    public record Timeouts(
            Duration connectionTimeout, Duration idleTimeout, Duration requestTimeout,
            Duration streamIdleTimeout, Duration maxStreamDuration) {

        /** Kuma's defaults: 5 s, 1 h, 15 s, 30 min, 0 (no limit). */
        public static final Timeouts KUMA_DEFAULTS = new Timeouts(
                Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofSeconds(15), Duration.ofMinutes(30),
                Duration.ZERO);

        /** Fields set here win; unset ones come from {@code base}. */
        public Timeouts over(Timeouts base) {
            return new Timeouts(
                    connectionTimeout != null ? connectionTimeout : base.connectionTimeout,
                    idleTimeout != null ? idleTimeout : base.idleTimeout,
                    requestTimeout != null ? requestTimeout : base.requestTimeout,
                    streamIdleTimeout != null ? streamIdleTimeout : base.streamIdleTimeout,
                    maxStreamDuration != null ? maxStreamDuration : base.maxStreamDuration);
        }
    }
}
