package io.sallyport.app;

import io.sallyport.core.runtime.ProxyType;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Picocli converters that turn bad values into one-line errors. */
final class Converters {

    private Converters() {
    }

    static final class HostPortConverter implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            try {
                return HostPort.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class CidrConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return Cidr.check(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class ProxyTypeConverter implements ITypeConverter<ProxyType> {
        @Override
        public ProxyType convert(String value) {
            for (ProxyType t : ProxyType.values()) {
                if (t.cliName().equals(value)) {
                    return t;
                }
            }
            throw new TypeConversionException("'" + value + "' is not one of dataplane, egress");
        }
    }

    static final class AccessLogFormatConverter implements ITypeConverter<ServerSettings.AccessLogFormat> {
        @Override
        public ServerSettings.AccessLogFormat convert(String value) {
            try {
                return ServerSettings.AccessLogFormat.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not one of text, json");
            }
        }
    }

    /** A positive thread count; 0 and negatives are refused (leave the flag out for the default). */
    static final class ConcurrencyConverter implements ITypeConverter<Integer> {
        static final int MAX = 1024;

        @Override
        public Integer convert(String value) {
            int n;
            try {
                n = Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a whole number");
            }
            if (n < 1 || n > MAX) {
                throw new TypeConversionException("must be between 1 and " + MAX + ", got " + n);
            }
            return n;
        }
    }
}
