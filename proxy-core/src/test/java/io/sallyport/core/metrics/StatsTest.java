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
}
