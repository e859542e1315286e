package io.sallyport.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.sallyport.core.metrics.Stats;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    void gcPausesAreReadFromTheCollectorsWhenScraped() {
        try (PrometheusMetrics metrics = new PrometheusMetrics(new Stats())) {
            metrics.bindJvmMeters();
            List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
            assertThat(metrics.registry().find("jvm.gc.pause").functionTimers()
                    .stream().map(timer -> timer.getId().getTag("gc")).toList())
                    .containsExactlyInAnyOrderElementsOf(collectors.stream()
                            .map(GarbageCollectorMXBean::getName)
                            .filter(name -> !name.contains("Concurrent") && !name.contains("Cycles"))
                            .toList());
            FunctionTimer pauses = metrics.registry().find("jvm.gc.pause").tag("action", "end of minor GC")
                    .functionTimer();
            assertThat(pauses).as("the young collector's pauses").isNotNull();
            GarbageCollectorMXBean collector = collectors.stream()
                    .filter(bean -> bean.getName().equals(pauses.getId().getTag("gc")))
                    .findFirst().orElseThrow();
            // The meter reads the bean when asked: collections before and after binding both count.
            byte[][] garbage = new byte[64][];
            long before = collector.getCollectionCount();
            for (int i = 0; collector.getCollectionCount() == before && i < 1_000_000; i++) {
                garbage[i % garbage.length] = new byte[64 * 1024];
            }
            assertThat(collector.getCollectionCount()).isGreaterThan(before);
            // Read between two readings of the bean: a collection can happen in between (another thread's).
            long countBefore = collector.getCollectionCount();
            long timeBefore = collector.getCollectionTime();
            double count = pauses.count();
            double millis = pauses.totalTime(TimeUnit.MILLISECONDS);
            assertThat(count).isBetween((double) countBefore, (double) collector.getCollectionCount());
            assertThat(millis).isBetween((double) timeBefore, (double) collector.getCollectionTime());
            assertThat(metrics.scrape()).contains("jvm_gc_pause_seconds_count{", "jvm_gc_pause_seconds_sum{",
                    "action=\"end of minor GC\"");
        }
    }

    @Test
    void theDataPathsBufferMemoryIsReadFromNettysAllocatorWhenScraped() {
        try (PrometheusMetrics metrics = new PrometheusMetrics(new Stats())) {
            metrics.bindJvmMeters();
            Gauge direct = metrics.registry().find("netty.allocator.memory.used").tag("memory.type", "direct")
                    .gauge();
            assertThat(direct).as("the default allocator's direct memory").isNotNull();
            assertThat(direct.getId().getTag("allocator.type"))
                    .isEqualTo(ByteBufAllocator.DEFAULT.getClass().getSimpleName());
            int size = 8 * 1024 * 1024;
            ByteBuf held = ByteBufAllocator.DEFAULT.directBuffer(size);
            try {
                // What a leak looks like from outside: memory the allocator still holds for a buffer.
                assertThat(direct.value()).isGreaterThanOrEqualTo(size);
                assertThat(metrics.scrape()).contains("netty_allocator_memory_used", "memory_type=\"direct\"",
                        "memory_type=\"heap\"");
            } finally {
                held.release();
            }
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
