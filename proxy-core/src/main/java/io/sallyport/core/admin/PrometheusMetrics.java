package io.sallyport.core.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sallyport.core.metrics.Stats;
import java.util.Objects;

/**
 * The {@code /stats/prometheus} page: the proxy's own {@link Stats} (Envoy's names, unchanged) followed by
 * Micrometer's JVM and process meters (memory, GC, threads, class loading, CPU, file descriptors, uptime).
 */
public final class PrometheusMetrics implements AutoCloseable {

    private final Stats stats;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

    public PrometheusMetrics(Stats stats) {
        this.stats = Objects.requireNonNull(stats, "stats");
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** The Micrometer registry, for components that want a JVM-style meter of their own. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Every meter in the Prometheus text format 0.0.4. */
    public String scrape() {
        StringBuilder out = new StringBuilder(16 * 1024);
        stats.writePrometheus(out);
        out.append(registry.scrape());
        return out.toString();
    }

    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }
}
