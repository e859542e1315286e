package io.sallyport.app.logging;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.slf4j.event.Level;

/**
 * The level of each logger: {@code org.slf4j.simpleLogger.log.<name prefix>} or, failing that,
 * {@code org.slf4j.simpleLogger.defaultLogLevel} (slf4j-simple's keys, so its {@code -D} settings keep
 * working), from system properties first, then from {@code /sallyport-log.properties} on the class path.
 * The longest matching prefix at a dot boundary wins; {@code off} turns a logger off.
 */
final class LogLevels {

    static final String RESOURCE = "/sallyport-log.properties";
    static final String PREFIX = "org.slf4j.simpleLogger.";
    static final String DEFAULT_KEY = PREFIX + "defaultLogLevel";
    static final String LOGGER_KEY = PREFIX + "log.";

    /** The level of a logger that logs nothing. */
    static final int OFF = Integer.MAX_VALUE;

    private final Map<String, String> settings;

    LogLevels(Map<String, String> settings) {
        this.settings = Map.copyOf(settings);
    }

    /** The settings of this process: the class-path file overlaid with system properties. */
    static LogLevels load() {
        Map<String, String> settings = new HashMap<>();
        try (InputStream in = LogLevels.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                p.stringPropertyNames().forEach(k -> settings.put(k, p.getProperty(k)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        Properties system = System.getProperties();
        for (String k : system.stringPropertyNames()) {
            if (k.startsWith(PREFIX)) {
                settings.put(k, system.getProperty(k));
            }
        }
        return new LogLevels(settings);
    }

    /** The lowest level {@code loggerName} logs, as an {@link Level#toInt()} value, or {@link #OFF}. */
    int threshold(String loggerName) {
        String name = loggerName;
        while (true) {
            String v = settings.get(LOGGER_KEY + name);
            if (v != null) {
                return parse(v);
            }
            int dot = name.lastIndexOf('.');
            if (dot < 0) {
                break;
            }
            name = name.substring(0, dot);
        }
        return parse(settings.getOrDefault(DEFAULT_KEY, "info"));
    }

    private static int parse(String level) {
        return switch (level.strip().toLowerCase(Locale.ROOT)) {
            case "trace" -> Level.TRACE.toInt();
            case "debug" -> Level.DEBUG.toInt();
            case "warn" -> Level.WARN.toInt();
            case "error" -> Level.ERROR.toInt();
            case "off" -> OFF;
            default -> Level.INFO.toInt(); // "info" and anything unknown, as slf4j-simple does
        };
    }
}
