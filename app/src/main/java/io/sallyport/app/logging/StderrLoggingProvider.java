package io.sallyport.app.logging;

import java.time.Clock;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/** The SLF4J provider of the {@code sallyport} process (found through {@code META-INF/services}). */
public final class StderrLoggingProvider implements SLF4JServiceProvider {

    private ILoggerFactory loggerFactory;
    private final IMarkerFactory markerFactory = new BasicMarkerFactory();
    private final MDCAdapter mdcAdapter = new NOPMDCAdapter();

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggerFactory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markerFactory;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdcAdapter;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        loggerFactory = new StderrLoggerFactory(LogLevels.load(),
                new StderrLogger.Sink(System.err, zone(System.getenv("TZ"), System.getProperty("user.timezone")),
                        Clock.systemUTC()));
    }

    /**
     * The zone of the timestamps: UTC, as in the access log, unless {@code TZ} or {@code -Duser.timezone}
     * names one, then the JVM's default zone. Only then is the JDK's zone database read: that took about
     * 10 ms of every start, on the way to {@code /ready}.
     */
    static ZoneId zone(String tzVariable, String userTimezoneProperty) {
        boolean named = (tzVariable != null && !tzVariable.isEmpty())
                || (userTimezoneProperty != null && !userTimezoneProperty.isEmpty());
        return named ? ZoneId.systemDefault() : ZoneOffset.UTC;
    }
}
