package io.sallyport.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void rendersEnvoyNamesUnchangedInPrometheusFormat() {
        Stats stats = new Stats();
        stats.counter("envoy_cluster_upstream_cx_total", "envoy_cluster_name", "mes-tcp").add(3);
        stats.counter("envoy_cluster_upstream_cx_total", "envoy_cluster_name", "mes-http").increment();
        stats.gauge("envoy_cluster_upstream_cx_active", "envoy_cluster_name", "mes-tcp").increment();

        StringBuilder out = new StringBuilder();
        stats.writePrometheus(out);

        assertThat(out.toString()).isEqualTo("""
                # TYPE envoy_cluster_upstream_cx_total counter
                envoy_cluster_upstream_cx_total{envoy_cluster_name="mes-http"} 1
                envoy_cluster_upstream_cx_total{envoy_cluster_name="mes-tcp"} 3
                # TYPE envoy_cluster_upstream_cx_active gauge
                envoy_cluster_upstream_cx_active{envoy_cluster_name="mes-tcp"} 1
                """);
    }

    @Test
    void sameNameAndTagsIsTheSameMeter() {
        Stats stats = new Stats();
        Stats.Counter a = stats.counter("c", "k", "v");
        assertThat(stats.counter("c", "k", "v")).isSameAs(a);
        a.increment();
        assertThat(stats.counterValue("c", "k", "v")).isEqualTo(1);
        assertThat(stats.counterValue("c", "k", "other")).isZero();
    }

    @Test
    void escapesLabelValues() {
        Stats stats = new Stats();
        stats.gauge("g", "name", "a\"b\\c\nd").add(2);
        StringBuilder out = new StringBuilder();
        stats.writePrometheus(out);
        assertThat(out.toString()).contains("g{name=\"a\\\"b\\\\c\\nd\"} 2");
    }

    @Test
    void rejectsOddTags() {
        assertThatThrownBy(() -> new Stats().counter("c", "only-a-name"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name/value pairs");
    }

    @Test
    void histogramsUseEnvoysBucketsCumulativelyWithSumAndCount() {
        Stats stats = new Stats();
        Stats.Histogram h = stats.histogram("envoy_cluster_upstream_rq_time", "envoy_cluster_name", "mes-http");
        h.recordMillis(0.2);
        h.recordMillis(3);
        h.recordMillis(3);
        h.recordMillis(9_000_000);

        StringBuilder out = new StringBuilder();
        stats.writePrometheus(out);
        String text = out.toString();
        String prefix = "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"mes-http\",le=";
        assertThat(text).contains("# TYPE envoy_cluster_upstream_rq_time histogram\n",
                prefix + "\"0.5\"} 1\n", prefix + "\"1\"} 1\n", prefix + "\"5\"} 3\n",
                prefix + "\"7200000\"} 3\n", prefix + "\"+Inf\"} 4\n",
                "envoy_cluster_upstream_rq_time_sum{envoy_cluster_name=\"mes-http\"} 9000006.2\n",
                "envoy_cluster_upstream_rq_time_count{envoy_cluster_name=\"mes-http\"} 4\n");
        assertThat(text.lines().filter(l -> l.startsWith("envoy_cluster_upstream_rq_time_bucket"))).hasSize(21);
    }
}
