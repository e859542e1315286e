package io.sallyport.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.core.metrics.Stats;
import org.junit.jupiter.api.Test;

class PrometheusMetricsTest {

    @Test
    void jvmMetersAreBoundOnceWhenAskedOrOnTheFirstScrape() {
        try (PrometheusMetrics metrics = new PrometheusMetrics(new Stats())) {
            assertThat(metrics.registry().find("jvm.memory.used").gauges()).isEmpty();
            metrics.bindJvmMeters();
            int meters = metrics.registry().getMeters().size();
            assertThat(metrics.registry().find("jvm.memory.used").gauges()).isNotEmpty();
            metrics.bindJvmMeters();
            assertThat(metrics.registry().getMeters()).hasSize(meters);
        }
        try (PrometheusMetrics metrics = new PrometheusMetrics(new Stats())) {
            assertThat(metrics.scrape()).contains("jvm_memory_used_bytes", "process_uptime_seconds");
        }
    }

    @Test
    void aClosedRegistryIsNotBoundAnyMore() {
        PrometheusMetrics metrics = new PrometheusMetrics(new Stats());
        metrics.close();
        metrics.bindJvmMeters();
        assertThat(metrics.registry().find("jvm.memory.used").gauges()).isEmpty();
    }
}
