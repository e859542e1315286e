package io.sallyport.core.transport;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import java.util.function.LongSupplier;

/**
 * An event loop's select strategy that, with nothing to do, polls for ready I/O for a short adaptive window
 * before letting the loop block in {@code epoll_wait}. One instance per event loop (not thread-safe).
 *
 * <p>Why: under load an event loop runs out of work thousands of times a second for gaps of a few tens of
 * microseconds. Each time it blocks, the peer that writes next has to wake it (a context switch on each side,
 * and an inter-processor interrupt, which costs the writer's core and, in a VM, usually a hypervisor exit). Polling
 * through short gaps avoids that, at the price of the CPU spent polling.
 *
 * <p>The poll itself measures whether it pays: over each period of {@value #PERIOD} polls the window doubles
 * (up to the maximum) when at least three in four found work, and halves when fewer than half did, down to
 * nothing below {@value #MIN_WINDOW_NANOS} ns. An idle or lightly loaded loop therefore soon stops polling;
 * it tries again with half the maximum window after {@value #PROBE_AFTER_BLOCKS} blocks without polling.
 *
 * <p>A task handed to the loop from another thread while it polls runs when the window ends (at most the
 * maximum window later), since Netty wakes only a loop that is blocked.
 */
final class SpinningSelectStrategy implements SelectStrategy {

    /** The smallest window worth polling for; a window halved below it stops polling. */
    static final long MIN_WINDOW_NANOS = 1_000;
    /** Polls per adaptation of the window. */
    static final int PERIOD = 32;
    /** Blocks without polling after which a loop tries polling again. */
    static final int PROBE_AFTER_BLOCKS = 256;

    private final long maxWindowNanos;
    private final LongSupplier clock;
    private long windowNanos;
    private int polls;
    private int pollsThatFoundWork;
    private int blocksWithoutPolling;

    SpinningSelectStrategy(long maxWindowNanos, LongSupplier clock) {
        if (maxWindowNanos < MIN_WINDOW_NANOS) {
            throw new IllegalArgumentException("poll window must be >= " + MIN_WINDOW_NANOS + " ns, got "
                    + maxWindowNanos);
        }
        this.maxWindowNanos = maxWindowNanos;
        this.clock = clock;
        this.windowNanos = maxWindowNanos;
    }

    @Override
    public int calculateStrategy(IntSupplier selectSupplier, boolean hasTasks) throws Exception {
        if (hasTasks) {
            return selectSupplier.get();
        }
        if (windowNanos == 0) {
            if (++blocksWithoutPolling >= PROBE_AFTER_BLOCKS) {
                blocksWithoutPolling = 0;
                windowNanos = Math.max(MIN_WINDOW_NANOS, maxWindowNanos / 2);
            }
            return SelectStrategy.SELECT;
        }
        long deadline = clock.getAsLong() + windowNanos;
        int ready;
        do {
            ready = selectSupplier.get();
            if (ready != 0) {
                break;
            }
            Thread.onSpinWait();
        } while (clock.getAsLong() - deadline < 0);
        if (ready != 0) {
            pollsThatFoundWork++;
        }
        if (++polls == PERIOD) {
            adapt();
        }
        return ready != 0 ? ready : SelectStrategy.SELECT;
    }

    private void adapt() {
        if (pollsThatFoundWork * 4 >= PERIOD * 3) {
            windowNanos = Math.min(maxWindowNanos, windowNanos * 2);
        } else if (pollsThatFoundWork * 2 < PERIOD) {
            windowNanos /= 2;
            if (windowNanos < MIN_WINDOW_NANOS) {
                windowNanos = 0;
            }
        }
        polls = 0;
        pollsThatFoundWork = 0;
    }

    /** The current polling window, in nanoseconds (0: the loop blocks at once). */
    long windowNanos() {
        return windowNanos;
    }
}
