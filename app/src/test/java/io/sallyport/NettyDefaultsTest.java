package io.sallyport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The Netty properties {@link Main} sets before anything loads Netty, and that a {@code -D} given by the user wins. */
class NettyDefaultsTest {

    @Test
    void leakDetectionIsOffJfrEventsOffAndSamplingSparseByDefault() {
        Properties p = new Properties();
        Main.applyNettyDefaults(p);
        assertThat(p.getProperty("io.netty.leakDetection.level")).isEqualTo("disabled");
        assertThat(p.getProperty("io.netty.jfr.enabled")).isEqualTo("false");
        assertThat(p.getProperty("io.netty.leakDetection.samplingInterval")).isEqualTo("4096");
    }

    @Test
    void aLevelGivenByTheUserIsKeptWithTheSparseSampling() {
        Properties p = new Properties();
        p.setProperty("io.netty.leakDetection.level", "simple");
        Main.applyNettyDefaults(p);
        assertThat(p.getProperty("io.netty.leakDetection.level")).isEqualTo("simple");
        assertThat(p.getProperty("io.netty.leakDetection.samplingInterval")).isEqualTo("4096");
    }

    @Test
    void nettysOlderLevelPropertyCountsAsGiven() {
        Properties p = new Properties();
        p.setProperty("io.netty.leakDetectionLevel", "paranoid");
        Main.applyNettyDefaults(p);
        assertThat(p.getProperty("io.netty.leakDetection.level")).isNull();
        assertThat(p.getProperty("io.netty.leakDetectionLevel")).isEqualTo("paranoid");
    }

    @Test
    void everyPropertyGivenByTheUserIsKept() {
        Properties p = new Properties();
        p.setProperty("io.netty.jfr.enabled", "true");
        p.setProperty("io.netty.leakDetection.samplingInterval", "1");
        p.setProperty("io.netty.leakDetection.level", "advanced");
        Main.applyNettyDefaults(p);
        assertThat(p.getProperty("io.netty.jfr.enabled")).isEqualTo("true");
        assertThat(p.getProperty("io.netty.leakDetection.samplingInterval")).isEqualTo("1");
        assertThat(p.getProperty("io.netty.leakDetection.level")).isEqualTo("advanced");
    }
}
