package io.sallyport.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.sallyport.core.admin.AdminRoutes;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.runtime.RuntimeOptions;
import io.sallyport.core.runtime.SnapshotHolder;
import java.util.function.Supplier;

/**
 * What a {@link ComponentFactory} gets to build its component with: the command-line settings, the
 * resolved runtime options (proxy type decided), the stats registry, the snapshot holder, the Micrometer
 * registry (made when first asked for), and the admin routes, on which a component may register or replace endpoints such as
 * {@code /listeners} and {@code /clusters} to report what it has really bound.
 */
public record ComponentContext(
        ServerSettings settings, RuntimeOptions options, Stats stats, SnapshotHolder snapshots,
        AdminRoutes adminRoutes, Supplier<MeterRegistry> meterRegistry) {
}
