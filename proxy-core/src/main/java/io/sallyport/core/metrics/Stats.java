package io.sallyport.core.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The registry of the proxy's own counters, gauges and histograms, named exactly as Envoy names them in
 * its Prometheus output (no suffix added), plus Sallyport's own {@code sallyport_*} process counters
 * (config reloads, DNS). Callers look a meter up once when a listener or cluster is compiled and keep
 * it: the hot path only increments.
 *
 * <p>JVM and process metrics come from Micrometer and are appended by the admin server; this class
 * exists because Micrometer's naming convention would alter Envoy's names.
 */
public final class Stats {

    /** A monotonically increasing count. */
    public static final class Counter {
        private final LongAdder value = new LongAdder();

        public void increment() {
            value.increment();
        }

        public void add(long n) {
            value.add(n);
        }

        public long get() {
            return value.sum();
        }
    }

    /** A value that goes up and down (active connections, requests in flight). */
    public static final class Gauge {
        private final LongAdder value = new LongAdder();

        public void increment() {
            value.increment();
        }

        public void decrement() {
            value.decrement();
        }

        public void add(long n) {
            value.add(n);
        }

        public long get() {
            return value.sum();
        }
    }

    /**
     * A latency distribution in milliseconds with Envoy's default bucket bounds, exposed as a
     * Prometheus histogram ({@code _bucket{le=...}}, {@code _sum}, {@code _count}) as Envoy does.
     */
    public static final class Histogram {
        /** Envoy's default histogram buckets, in milliseconds. */
        static final double[] BOUNDS_MS = {0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
            30000, 60000, 300000, 600000, 1800000, 3600000, 7200000};

        private final LongAdder[] buckets = new LongAdder[BOUNDS_MS.length + 1];
        private final LongAdder count = new LongAdder();
        private final java.util.concurrent.atomic.DoubleAdder sum = new java.util.concurrent.atomic.DoubleAdder();

        Histogram() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        /** Records one observation of {@code millis}. */
        public void recordMillis(double millis) {
            int i = 0;
            while (i < BOUNDS_MS.length && millis > BOUNDS_MS[i]) {
                i++;
            }
            buckets[i].increment();
            count.increment();
            sum.add(millis);
        }

        public long count() {
            return count.sum();
        }

        public double sum() {
            return sum.sum();
        }
    }

    /**
     * A metric's name and tags. equals/hashCode are written out: a record's generated ones link method
     * handles on first use, and every cluster's counters are keyed here on the way to {@code /ready}.
     */
    private record Key(String name, List<String> tags) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && name.equals(k.name) && tags.equals(k.tags);
        }

        @Override
        public int hashCode() {
            return 31 * name.hashCode() + tags.hashCode();
        }
    }

    private final Map<Key, Counter> counters = new ConcurrentHashMap<>();
    private final Map<Key, Gauge> gauges = new ConcurrentHashMap<>();
    private final Map<Key, Histogram> histograms = new ConcurrentHashMap<>();

    /**
     * The counter {@code name} with the given tags, created on first use.
     *
     * @param tags alternating label names and values, e.g. {@code "envoy_cluster_name", "mes-tcp"}
     */
    public Counter counter(String name, String... tags) {
        return counters.computeIfAbsent(key(name, tags), k -> new Counter());
    }

    /** The gauge {@code name} with the given tags, created on first use. */
    public Gauge gauge(String name, String... tags) {
        return gauges.computeIfAbsent(key(name, tags), k -> new Gauge());
    }

    /** The histogram {@code name} with the given tags, created on first use. */
    public Histogram histogram(String name, String... tags) {
        return histograms.computeIfAbsent(key(name, tags), k -> new Histogram());
    }

    /** The histogram {@code name} with the given tags, or {@code null} when it does not exist. */
    public Histogram histogramValue(String name, String... tags) {
        return histograms.get(key(name, tags));
    }

    /** The current value of a counter, 0 when it does not exist. For tests and the admin API. */
    public long counterValue(String name, String... tags) {
        Counter c = counters.get(key(name, tags));
        return c == null ? 0 : c.get();
    }

    /** The current value of a gauge, 0 when it does not exist. */
    public long gaugeValue(String name, String... tags) {
        Gauge g = gauges.get(key(name, tags));
        return g == null ? 0 : g.get();
    }

    /** Appends every meter in the Prometheus text exposition format (version 0.0.4), sorted by name. */
    public void writePrometheus(StringBuilder out) {
        write(out, counters, "counter");
        write(out, gauges, "gauge");
        writeHistograms(out);
    }

    private void writeHistograms(StringBuilder out) {
        List<Map.Entry<Key, Histogram>> entries = sorted(histograms);
        String last = null;
        for (Map.Entry<Key, Histogram> e : entries) {
            Key k = e.getKey();
            if (!k.name().equals(last)) {
                out.append("# TYPE ").append(k.name()).append(" histogram\n");
                last = k.name();
            }
            Histogram h = e.getValue();
            long cumulative = 0;
            for (int i = 0; i <= Histogram.BOUNDS_MS.length; i++) {
                cumulative += h.buckets[i].sum();
                out.append(k.name()).append("_bucket{");
                labels(out, k.tags());
                if (!k.tags().isEmpty()) {
                    out.append(',');
                }
                out.append("le=\"").append(i < Histogram.BOUNDS_MS.length ? bound(Histogram.BOUNDS_MS[i]) : "+Inf")
                        .append("\"} ").append(cumulative).append('\n');
            }
            out.append(k.name()).append("_sum");
            braced(out, k.tags());
            out.append(' ').append(bound(h.sum())).append('\n');
            out.append(k.name()).append("_count");
            braced(out, k.tags());
            out.append(' ').append(h.count()).append('\n');
        }
    }

    private static String bound(double v) {
        return v == Math.rint(v) && !Double.isInfinite(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static void braced(StringBuilder out, List<String> tags) {
        if (!tags.isEmpty()) {
            out.append('{');
            labels(out, tags);
            out.append('}');
        }
    }

    private static void labels(StringBuilder out, List<String> tags) {
        for (int i = 0; i < tags.size(); i += 2) {
            if (i > 0) {
                out.append(',');
            }
            out.append(tags.get(i)).append("=\"");
            escape(out, tags.get(i + 1));
            out.append('"');
        }
    }

    private static <M> List<Map.Entry<Key, M>> sorted(Map<Key, M> meters) {
        List<Map.Entry<Key, M>> entries = new ArrayList<>(meters.entrySet());
        entries.sort((a, b) -> {
            int c = a.getKey().name().compareTo(b.getKey().name());
            return c != 0 ? c : String.join(",", a.getKey().tags()).compareTo(String.join(",", b.getKey().tags()));
        });
        return entries;
    }

    private static <M> void write(StringBuilder out, Map<Key, M> meters, String type) {
        String last = null;
        for (Map.Entry<Key, M> e : sorted(meters)) {
            Key k = e.getKey();
            if (!k.name().equals(last)) {
                out.append("# TYPE ").append(k.name()).append(' ').append(type).append('\n');
                last = k.name();
            }
            out.append(k.name());
            braced(out, k.tags());
            M m = e.getValue();
            long v = m instanceof Counter c ? c.get() : ((Gauge) m).get();
            out.append(' ').append(v).append('\n');
        }
    }

    private static void escape(StringBuilder out, String v) {
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            switch (ch) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(ch);
            }
        }
    }

    private static Key key(String name, String[] tags) {
        if ((tags.length & 1) != 0) {
            throw new IllegalArgumentException("tags must be name/value pairs: " + Arrays.toString(tags));
        }
        return new Key(name, List.of(tags));
    }
}
