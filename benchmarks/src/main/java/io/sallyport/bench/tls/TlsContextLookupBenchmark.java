package io.sallyport.bench.tls;

import io.sallyport.bench.ProductionNetty;
import io.sallyport.tls.SystemTrust;
import io.sallyport.tls.UpstreamTlsContext;
import io.sallyport.tls.UpstreamTlsContextFactory;
import io.sallyport.tls.UpstreamTlsSpec;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link UpstreamTlsContextFactory#get} on a cache hit: the spec is equal to, but not the same object
 * as, the one the context was built for (what a config reload with unchanged TLS settings does), so
 * each lookup hashes and compares the spec including its CA PEM bytes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {ProductionNetty.LEAK_DETECTION, ProductionNetty.JFR})
public class TlsContextLookupBenchmark {

    /** A real CA certificate (the config examples' CA); only parsed once, when the context is built. */
    private static final String CA_PEM = """
            -----BEGIN CERTIFICATE-----
            MIIDLzCCAhegAwIBAgIUFFHk5kVSWTcflsvrIoFzEDRjAdowDQYJKoZIhvcNAQEL
            BQAwHzEdMBsGA1UEAwwUU2FsbHlwb3J0IEV4YW1wbGUgQ0EwHhcNMjYxMTIxMjMy
            ODM1WhcNMzYxMTE4MjMyODM1WjAfMR0wGwYDVQQDDBRTYWxseXBvcnQgRXhhbXBs
            ZSBDQTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBALTTgoFDL/VgOn2W
            +hKnxXrSEY13CCQelS8Bv5FSU39Oe7/PMwI5uaAX9NY88R3oxVzXcyrJOtaGKD06
            Kg3mWwuN+PyHhMH7uT9LLRFJo+VOujOlXk99KPHvxiykb4kd2gXcuR4HkOCQXuRP
            4WmOTEwc7odAX3zwsmDzVnw0EZxSK+5ziqeuI7uHhDEL8nea5ncRjwKudxaE3NYZ
            tOeMnHLZ1LPQJlEecMU5VCeq8v05bfncHXAq6eRlsfisFosejMhQhJoPl2dAn2va
            /RPjQknbxo2A4SSVTBer1WgSdYGpG4wVssFvS7qVU86YyDbLo0y3F+A5n+uQA01Z
            MSU/5U8CAwEAAaNjMGEwHQYDVR0OBBYEFP6IrUgvquzaLYMZT6quOo+gmAvtMB8G
            A1UdIwQYMBaAFP6IrUgvquzaLYMZT6quOo+gmAvtMA8GA1UdEwEB/wQFMAMBAf8w
            DgYDVR0PAQH/BAQDAgEGMA0GCSqGSIb3DQEBCwUAA4IBAQBQL93LEnnewUQnVzKW
            Hc/WODibxP4ND9v8XYQ8uoL7ytDvv6NvYpA7QtBgJeFES7spiG0uis8PVj/fdUJ0
            sNc143brAtleKQu93IdJ3MogxqO1trZ3IfBd1kAmDp26OCrnbS/AFSbQyb/V5cH3
            7W1lUl3pHYzZqrIxFkdkiaeHP7y78nQgSU2EpXLSd5xw5LgI8NUF3kQlihCtqsJT
            ldMCklZ2CUAGGY3r0e1VJJ5+OmYMhl22AC5oklzki0c6+UBIgpqKEL1BIYn4xVq1
            n14wzRBzhixyH073GkddZ/tMoxTFjT7lSknoghD7KNBlf6BPLJLO7G9h/D8RrSOE
            TC8N
            -----END CERTIFICATE-----
            """;

    private UpstreamTlsContextFactory factory;
    private UpstreamTlsSpec equalSpec;

    @Setup
    public void setUp() {
        factory = new UpstreamTlsContextFactory(UpstreamTlsContextFactory.defaultProvider(),
                SystemTrust.fromEnvironment());
        factory.get(spec());
        equalSpec = spec();
    }

    private static UpstreamTlsSpec spec() {
        return UpstreamTlsSpec.builder()
                .serverName("origin.example.com")
                .caCertPem(CA_PEM)
                .alpnProtocols(List.of("h2", "http/1.1"))
                .build();
    }

    /** Cache hit with an equal spec. */
    @Benchmark
    public UpstreamTlsContext getEqualSpec() {
        return factory.get(equalSpec);
    }
}
