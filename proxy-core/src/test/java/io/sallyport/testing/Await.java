package io.sallyport.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Bounded waits on a condition, for tests: poll briefly until it holds or a deadline passes, and say
 * which. Never a fixed sleep that hopes the other side is done.
 */
public final class Await {

    private static final long POLL_MILLIS = 20;

    private Await() {
    }

    /** Waits until {@code condition} holds; {@code false} if {@code timeout} passed first. */
    public static boolean until(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }

    /**
     * Waits until {@code progress} has stayed the same for {@code quiet} (a writer blocked on full buffers,
     * a proxy that stopped reading); {@code false} if {@code timeout} passed first. One slow sample on a
     * loaded machine does not count as a stall: the value must hold for the whole quiet period.
     */
    public static boolean stalled(LongSupplier progress, Duration quiet, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = progress.getAsLong();
        long since = System.nanoTime();
        while (System.nanoTime() - since < quiet.toNanos()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
            long now = progress.getAsLong();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            }
        }
        return true;
    }
}
