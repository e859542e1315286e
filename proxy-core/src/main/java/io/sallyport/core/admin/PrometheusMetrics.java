package io.sallyport.core.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.sallyport.core.metrics.Stats;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /stats/prometheus} page: the proxy's own {@link Stats} (Envoy's names, unchanged) followed by
 * Micrometer's JVM and process meters (memory, GC, threads, class loading, CPU, file descriptors, uptime) and
 * the memory held by Netty's buffer allocator.
 *
 * <p>The JVM meters are bound by the first scrape ({@link #bindJvmMeters()}): binding them loads some 300
 * classes of Micrometer and the JMX beans, CPU and memory a proxy that is never scraped is better off
 * without, and which would compete with the first requests on a one-CPU sidecar. Nothing is lost by
 * binding late: every one of them reads the JVM's own counters and gauges at scrape time. The Micrometer
 * registry itself is made on first use for the same reason.
 */
public final class PrometheusMetrics implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PrometheusMetrics.class);

    private final Stats stats;
    private PrometheusMeterRegistry registry;
    private boolean jvmMetersBound;
    private boolean closed;

    public PrometheusMetrics(Stats stats) {
        this.stats = Objects.requireNonNull(stats, "stats");
    }

    /**
     * Binds the JVM and process meters to the registry; later calls do nothing. The GC meters count every
     * collection since the JVM started ({@link JvmGcMeters}).
     */
    public synchronized void bindJvmMeters() {
        if (jvmMetersBound || closed) {
            return;
        }
        jvmMetersBound = true;
        MeterRegistry meters = prometheus();
        new JvmMemoryMetrics().bindTo(meters);
        new JvmGcMeters().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ClassLoaderMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new FileDescriptorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        // The data path's buffers come from Netty's default allocator: its memory is the gauge that shows a
        // buffer leak in production, where Netty's leak detector is off (Main).
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            new NettyAllocatorMetrics(provider).bindTo(meters);
        }
    }

    /** The Micrometer registry, for components that want a JVM-style meter of their own. */
    public MeterRegistry registry() {
        return prometheus();
    }

    private synchronized PrometheusMeterRegistry prometheus() {
        if (registry == null) {
            registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        }
        return registry;
    }

    /** Every meter in the Prometheus text format 0.0.4 (binding the JVM meters first if nothing did yet). */
    public String scrape() {
        try {
            bindJvmMeters();
        } catch (RuntimeException e) {
            // Binding is tried once: a binder that fails (a JMX bean missing in a restricted runtime) is logged,
            // and the page is still served with the proxy's own stats and whatever was bound.
            log.warn("JVM metrics are not available: {}", e.toString());
        }
        StringBuilder out = new StringBuilder(16 * 1024);
        stats.writePrometheus(out);
        out.append(prometheus().scrape());
        return out.toString();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (registry != null) {
            registry.close();
        }
    }
}
