package io.sallyport.app.logging;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;

/** One {@link StderrLogger} per name, its level fixed when it is first asked for. */
final class StderrLoggerFactory implements ILoggerFactory {

    private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
    private final LogLevels levels;
    private final StderrLogger.Sink sink;

    StderrLoggerFactory(LogLevels levels, StderrLogger.Sink sink) {
        this.levels = levels;
        this.sink = sink;
    }

    @Override
    public Logger getLogger(String name) {
        return loggers.computeIfAbsent(name, n -> new StderrLogger(n, levels.threshold(n), sink));
    }
}
