package io.sallyport.core.admin;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Garbage-collector meters read from the collectors' MX beans when a scrape asks for them.
 *
 * <p>Micrometer's {@code JvmGcMetrics} subscribes to the JVM's per-collection JMX notifications instead: the
 * JVM then gathers every memory pool's usage at the end of each pause and a notification thread turns it into
 * open-type composite data, which measured as much CPU as the young collection itself, taken from the
 * event loops' core at every collection (≈ 15 a second under HTTP/1.1 load). Counting and summing pauses
 * needs none of that: the beans keep both. What polling cannot give (the maximum pause, the cause, bytes
 * promoted per collection) is left out rather than approximated.
 */
final class JvmGcMeters implements MeterBinder {

    // The young collectors of the JVM's generational collectors (Micrometer tags them the same way).
    private static final Set<String> YOUNG_COLLECTORS =
            Set.of("Copy", "PS Scavenge", "ParNew", "G1 Young Generation");
    // Collectors whose time is spent beside the application, not in a pause.
    private static final Set<String> CONCURRENT_COLLECTORS =
            Set.of("G1 Concurrent GC", "ZGC Cycles", "ZGC Major Cycles", "ZGC Minor Cycles", "Shenandoah Cycles");
    private static final Set<String> OLD_POOLS =
            Set.of("Tenured Gen", "PS Old Gen", "G1 Old Gen", "CMS Old Gen", "ZHeap", "ZGC Old Generation",
                    "Shenandoah");

    @Override
    public void bindTo(MeterRegistry registry) {
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            String name = collector.getName();
            boolean concurrent = CONCURRENT_COLLECTORS.contains(name);
            FunctionTimer.builder(concurrent ? "jvm.gc.concurrent.phase.time" : "jvm.gc.pause", collector,
                            GarbageCollectorMXBean::getCollectionCount,
                            GarbageCollectorMXBean::getCollectionTime, TimeUnit.MILLISECONDS)
                    .tag("gc", name)
                    .tag("action", concurrent ? "end of concurrent GC"
                            : YOUNG_COLLECTORS.contains(name) ? "end of minor GC" : "end of major GC")
                    .description(concurrent ? "Time spent in concurrent phases"
                            : "Time spent in GC pauses")
                    .register(registry);
        }
        List<MemoryPoolMXBean> oldPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP && OLD_POOLS.contains(pool.getName()))
                .toList();
        if (oldPools.size() == 1) {
            MemoryPoolMXBean old = oldPools.get(0);
            Gauge.builder("jvm.gc.live.data.size", old, JvmGcMeters::usedAfterLastCollection)
                    .description("Size of the long-lived heap pool after its last collection")
                    .baseUnit("bytes")
                    .register(registry);
            Gauge.builder("jvm.gc.max.data.size", old, pool -> pool.getUsage().getMax())
                    .description("Maximum size of the long-lived heap pool")
                    .baseUnit("bytes")
                    .register(registry);
        }
    }

    private static double usedAfterLastCollection(MemoryPoolMXBean pool) {
        MemoryUsage after = pool.getCollectionUsage();
        return after == null ? Double.NaN : after.getUsed();
    }
}
