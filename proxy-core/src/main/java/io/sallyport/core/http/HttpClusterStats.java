package io.sallyport.core.http;

import io.sallyport.core.metrics.Stats;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The per-cluster request counters, under Envoy's Prometheus names:
 * {@code envoy_cluster_upstream_rq_total}, {@code envoy_cluster_upstream_rq{envoy_response_code}},
 * {@code envoy_cluster_upstream_rq_xx{envoy_response_code_class}}, {@code envoy_cluster_upstream_rq_timeout},
 * {@code envoy_cluster_upstream_rq_active}, and the {@code envoy_cluster_upstream_rq_time} histogram (milliseconds
 * from the request's start to the end of its response, for requests that got one). Meters are looked up
 * once and cached, so counting allocates nothing.
 */
public final class HttpClusterStats {

    private static final String CLUSTER = "envoy_cluster_name";

    private final Stats stats;
    private final String clusterName;
    private final Stats.Counter total;
    private final Stats.Counter timeout;
    private final Stats.Gauge active;
    private final Stats.Histogram rqTime;
    private final Stats.Counter[] classes = new Stats.Counter[6];
    private final AtomicReferenceArray<Stats.Counter> codes = new AtomicReferenceArray<>(600);

    public HttpClusterStats(Stats stats, String clusterName) {
        this.stats = stats;
        this.clusterName = clusterName;
        this.total = stats.counter("envoy_cluster_upstream_rq_total", CLUSTER, clusterName);
        this.timeout = stats.counter("envoy_cluster_upstream_rq_timeout", CLUSTER, clusterName);
        this.active = stats.gauge("envoy_cluster_upstream_rq_active", CLUSTER, clusterName);
        this.rqTime = stats.histogram("envoy_cluster_upstream_rq_time", CLUSTER, clusterName);
        for (int c = 1; c <= 5; c++) {
            classes[c] = stats.counter("envoy_cluster_upstream_rq_xx",
                    CLUSTER, clusterName, "envoy_response_code_class", Integer.toString(c));
        }
    }

    public String clusterName() {
        return clusterName;
    }

    /** A request was sent towards the cluster (it is now active). */
    void requestStarted() {
        total.increment();
        active.increment();
    }

    /**
     * The request ended with {@code code} (0 when no response was sent: a reset) after
     * {@code durationNanos}.
     */
    void requestEnded(int code, boolean timedOut, long durationNanos) {
        active.decrement();
        if (timedOut) {
            timeout.increment();
        }
        if (code >= 100 && code < 600) {
            Stats.Counter c = codes.get(code);
            if (c == null) {
                c = stats.counter("envoy_cluster_upstream_rq",
                        CLUSTER, clusterName, "envoy_response_code", Integer.toString(code));
                codes.set(code, c);
            }
            c.increment();
            classes[code / 100].increment();
            rqTime.recordMillis(durationNanos / 1_000_000.0);
        }
    }
}
