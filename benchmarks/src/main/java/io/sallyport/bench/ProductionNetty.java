package io.sallyport.bench;

/**
 * The Netty properties the proxy sets for itself ({@code io.sallyport.Main}), for the benchmarks' forked JVMs:
 * {@code @Fork(value = 1, jvmArgsAppend = {ProductionNetty.LEAK_DETECTION, ProductionNetty.JFR})}.
 */
public final class ProductionNetty {

    /**
     * The leak detector off, as in the proxy. Netty's default samples 1 buffer in 128: it records a stack trace
     * for each (≈ 35 B/op in {@code ResponseRelayBenchmark}) and wraps it in a second buffer class, which makes
     * C2 recompile the code it passes (±750 ns between iterations there).
     */
    public static final String LEAK_DETECTION = "-Dio.netty.leakDetection.level=disabled";

    /** Netty's JFR buffer events off, as in the proxy (otherwise every allocation asks whether they are on). */
    public static final String JFR = "-Dio.netty.jfr.enabled=false";

    private ProductionNetty() {
    }
}
