package io.sallyport.core.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The registry of the proxy's own counters and gauges, named exactly as Envoy names them in its
 * Prometheus output (no suffix added). Callers look a meter up once when a listener or cluster is
 * compiled and keep it: the hot path only increments.
 *
 * <p>JVM and process metrics come from Micrometer and are appended by the admin server; this class
 * owns only the {@code envoy_*} family, whose names Micrometer's naming convention would alter.
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

    private record Key(String name, List<String> tags) { }

    private final Map<Key, Counter> counters = new ConcurrentHashMap<>();
    private final Map<Key, Gauge> gauges = new ConcurrentHashMap<>();

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
    }

    private static <M> void write(StringBuilder out, Map<Key, M> meters, String type) {
        List<Map.Entry<Key, M>> entries = new ArrayList<>(meters.entrySet());
        entries.sort((a, b) -> {
            int c = a.getKey().name().compareTo(b.getKey().name());
            return c != 0 ? c : String.join(",", a.getKey().tags()).compareTo(String.join(",", b.getKey().tags()));
        });
        String last = null;
        for (Map.Entry<Key, M> e : entries) {
            Key k = e.getKey();
            if (!k.name().equals(last)) {
                out.append("# TYPE ").append(k.name()).append(' ').append(type).append('\n');
                last = k.name();
            }
            out.append(k.name());
            if (!k.tags().isEmpty()) {
                out.append('{');
                for (int i = 0; i < k.tags().size(); i += 2) {
                    if (i > 0) {
                        out.append(',');
                    }
                    out.append(k.tags().get(i)).append("=\"");
                    escape(out, k.tags().get(i + 1));
                    out.append('"');
                }
                out.append('}');
            }
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
