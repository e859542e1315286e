package io.sallyport.bench.cluster;

import io.sallyport.bench.ProductionNetty;
import io.sallyport.core.cluster.Endpoint;
import io.sallyport.core.cluster.EndpointSelector;
import io.sallyport.core.cluster.PriorityLevel;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
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
 * {@link EndpointSelector}: one plan per connection and its first endpoint (the common case), and a
 * plan walked to exhaustion (every endpoint failed, across two priority levels). {@code endpoints} is
 * the size of each of the two levels.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {ProductionNetty.LEAK_DETECTION, ProductionNetty.JFR})
public class EndpointSelectorBenchmark {

    @Param({"1", "8"})
    public int endpoints;

    private EndpointSelector selector;

    @Setup
    public void setUp() throws UnknownHostException {
        List<PriorityLevel> levels = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            List<Endpoint> eps = new ArrayList<>();
            for (int i = 0; i < endpoints; i++) {
                eps.add(new Endpoint.Ip(InetAddress.getByAddress(new byte[] {10, 0, (byte) p, (byte) (i + 1)}),
                        443));
            }
            levels.add(new PriorityLevel(p, eps));
        }
        selector = new EndpointSelector(levels, 5);
    }

    /** A new connection: plan, first endpoint. */
    @Benchmark
    public Endpoint firstEndpoint() {
        return selector.plan().next();
    }

    /** Every attempt failed: walk the plan until it is exhausted (at most 5 endpoints). */
    @Benchmark
    public int exhaustPlan() {
        EndpointSelector.Plan plan = selector.plan();
        while (plan.next() != null) {
            // each endpoint in turn
        }
        return plan.attempts();
    }
}
