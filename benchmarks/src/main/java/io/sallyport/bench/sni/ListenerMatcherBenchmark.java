package io.sallyport.bench.sni;

import io.sallyport.bench.ProductionNetty;
import io.sallyport.sni.match.ListenerMatcher;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link ListenerMatcher} lookups over tables of 10, 1 000 and 100 000 rules mixing ports (16 ports and
 * port-less rules), exact IPv4/IPv6 addresses, CIDRs of several lengths, exact and wildcard domains.
 * Each invocation looks up the next of 4 096 prepared queries: hits at every level (exact name,
 * wildcard at depth 1–3, exact IP, CIDR, fallback to port-less rules) and misses.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {ProductionNetty.LEAK_DETECTION, ProductionNetty.JFR})
public class ListenerMatcherBenchmark {

    private static final int[] PORTS = {80, 443, 8080, 8443, 3306, 5432, 6379, 9092, 27017, 15000, 2379, 9200,
        5672, 1521, 11211, 9042};
    private static final int QUERIES = 4096;

    @Param({"10", "1000", "100000"})
    public int rules;

    private ListenerMatcher<Integer> matcher;
    private int[] queryPorts;
    private byte[][] queryAddresses;
    private String[] queryNames;
    private int next;

    @Setup
    public void setUp() {
        Random random = new Random(1234);
        ListenerMatcher.Builder<Integer> builder = ListenerMatcher.builder();
        int[] cidrLengths = {8, 12, 16, 20, 24, 28};
        for (int i = 0; i < rules; i++) {
            Integer port = i % 5 == 4 ? null : PORTS[i % PORTS.length];
            switch (i % 6) {
                case 0 -> builder.add(port, null, "svc" + i + ".example.com", i);
                case 1 -> builder.add(port, null, "*.zone" + i + ".example.org", i);
                case 2 -> builder.add(port, ipv4(i), null, i);
                case 3 -> builder.add(port, cidr(i, cidrLengths[(i / 6) % cidrLengths.length]), null, i);
                case 4 -> builder.add(port, "2001:db8:" + Integer.toHexString(i & 0xFFFF) + "::/48", null, i);
                default -> builder.add(port, "2001:db9::" + Integer.toHexString(i & 0xFFFF), "*.v6.example.net", i);
            }
        }
        matcher = builder.build();
        queryPorts = new int[QUERIES];
        queryAddresses = new byte[QUERIES][];
        queryNames = new String[QUERIES];
        for (int q = 0; q < QUERIES; q++) {
            int i = random.nextInt(rules);
            queryPorts[q] = i % 5 == 4 ? PORTS[random.nextInt(PORTS.length)] : PORTS[i % PORTS.length];
            queryAddresses[q] = new byte[] {(byte) 198, 51, 100, (byte) random.nextInt(256)};
            if (random.nextInt(4) == 0) {
                queryNames[q] = "unknown" + i + ".example.com"; // a miss that falls through every level
                continue;
            }
            switch (i % 6) {
                case 0 -> queryNames[q] = random.nextBoolean() ? "svc" + i + ".example.com" : "SVC" + i + ".Example.COM";
                case 1 -> queryNames[q] = "a.b.zone" + i + ".example.org";
                case 2 -> queryAddresses[q] = bytes(ipv4(i));
                case 3 -> queryAddresses[q] = bytes("172." + (16 + (i >> 16 & 15)) + "." + (i >> 8 & 255) + "." + ((i & 0xF0) | 1));
                case 4 -> queryAddresses[q] = bytes("2001:db8:" + Integer.toHexString(i & 0xFFFF) + "::1");
                default -> {
                    queryAddresses[q] = bytes("2001:db9::" + Integer.toHexString(i & 0xFFFF));
                    queryNames[q] = "x.v6.example.net";
                }
            }
        }
        int hits = 0;
        for (int q = 0; q < QUERIES; q++) {
            hits += matcher.match(queryPorts[q], queryAddresses[q], queryNames[q]) == null ? 0 : 1;
        }
        if (hits < QUERIES / 2) {
            throw new IllegalStateException("only " + hits + " of " + QUERIES + " queries hit");
        }
    }

    @Benchmark
    public Integer match() {
        int q = next++ & (QUERIES - 1);
        return matcher.match(queryPorts[q], queryAddresses[q], queryNames[q]);
    }

    private static String ipv4(int i) {
        return "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
    }

    private static String cidr(int i, int length) {
        return "172." + (16 + (i >> 16 & 15)) + "." + (i >> 8 & 255) + "." + (i & 255 & 0xF0) + "/" + length;
    }

    private static byte[] bytes(String ip) {
        return io.netty.util.NetUtil.createByteArrayFromIpAddressString(ip);
    }
}
