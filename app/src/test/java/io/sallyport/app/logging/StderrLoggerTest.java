package io.sallyport.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

class StderrLoggerTest {

    private static final Instant NOW = Instant.parse("2026-11-22T02:01:27.235987Z");

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    private Logger logger(String name, Map<String, String> settings, ZoneId zone) {
        StderrLogger.Sink sink = new StderrLogger.Sink(new PrintStream(bytes, true, StandardCharsets.UTF_8), zone,
                Clock.fixed(NOW, ZoneOffset.UTC));
        return new StderrLoggerFactory(new LogLevels(settings), sink).getLogger(name);
    }

    private String out() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void lineHasTimestampLevelShortNameAndFormattedMessage() {
        Logger log = logger("io.sallyport.listeners.ListenerManager", Map.of(), ZoneOffset.UTC);
        log.info("listening on {} for {}", "/127.0.0.1:25001", "bench-http");
        assertThat(out()).isEqualTo("2026-11-22T02:01:27.235Z [INFO] ListenerManager - listening on "
                + "/127.0.0.1:25001 for bench-http" + System.lineSeparator());
    }

    @Test
    void offsetOfTheDefaultZoneIsWrittenLikeXxx() {
        logger("a.B", Map.of(), ZoneId.of("Europe/Berlin")).warn("x");
        logger("a.B", Map.of(), ZoneId.of("America/St_Johns")).warn("y");
        assertThat(out()).isEqualTo("2026-11-22T03:01:27.235+01:00 [WARN] B - x" + System.lineSeparator()
                + "2026-11-21T22:31:27.235-03:30 [WARN] B - y" + System.lineSeparator());
    }

    @Test
    void throwableIsFollowedByItsStackTrace() {
        logger("x.Y", Map.of(), ZoneOffset.UTC).error("failed: {}", "boom", new IOException("disk"));
        assertThat(out()).startsWith("2026-11-22T02:01:27.235Z [ERROR] Y - failed: boom" + System.lineSeparator()
                + "java.io.IOException: disk" + System.lineSeparator() + "\tat ");
        assertThat(out()).endsWith(System.lineSeparator()).doesNotEndWith(System.lineSeparator() + System.lineSeparator());
    }

    @Test
    void levelsComeFromTheLongestPrefixThenTheDefault() {
        Map<String, String> settings = Map.of(
                LogLevels.DEFAULT_KEY, "warn",
                LogLevels.LOGGER_KEY + "io.netty", "error",
                LogLevels.LOGGER_KEY + "io.netty.handler", "debug",
                LogLevels.LOGGER_KEY + "io.sallyport", "off");
        LogLevels levels = new LogLevels(settings);
        assertThat(levels.threshold("io.netty.util.Recycler")).isEqualTo(Level.ERROR.toInt());
        assertThat(levels.threshold("io.netty.handler.ssl.SslHandler")).isEqualTo(Level.DEBUG.toInt());
        assertThat(levels.threshold("io.nettyx.Other")).isEqualTo(Level.WARN.toInt());
        assertThat(levels.threshold("io.sallyport.app.ProxyServer")).isEqualTo(LogLevels.OFF);
        assertThat(new LogLevels(Map.of()).threshold("any.Thing")).isEqualTo(Level.INFO.toInt());
        assertThat(new LogLevels(Map.of(LogLevels.DEFAULT_KEY, "loud")).threshold("a")).isEqualTo(Level.INFO.toInt());

        Logger quiet = logger("io.sallyport.app.X", settings, ZoneOffset.UTC);
        quiet.error("dropped");
        Logger netty = logger("io.netty.util.Y", settings, ZoneOffset.UTC);
        netty.warn("dropped too");
        netty.error("kept");
        assertThat(quiet.isErrorEnabled()).isFalse();
        assertThat(netty.isWarnEnabled()).isFalse();
        assertThat(out()).isEqualTo("2026-11-22T02:01:27.235Z [ERROR] Y - kept" + System.lineSeparator());
    }

    @Test
    void theProcessUsesThisBackendWithTheShippedLevels() {
        assertThat(LoggerFactory.getILoggerFactory()).isInstanceOf(StderrLoggerFactory.class);
        assertThat(LoggerFactory.getLogger("io.netty.channel.X").isInfoEnabled()).isFalse();
        assertThat(LoggerFactory.getLogger("io.netty.util.ResourceLeakDetector").isErrorEnabled()).isTrue();
        assertThat(LoggerFactory.getLogger("io.sallyport.app.ProxyServer").isInfoEnabled()).isTrue();
    }
}
