package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The per-connection deadline list: entries fire at their own deadlines whatever the timer was armed for. */
class ExchangeDeadlinesTest {

    @Test
    void eachEntryFiresAtItsDeadlineAndRemovedOnesNever() {
        EmbeddedChannel ch = new EmbeddedChannel();
        try {
            ExchangeDeadlines d = ExchangeDeadlines.of(ch);
            assertThat(ExchangeDeadlines.of(ch)).isSameAs(d);
            List<String> fired = new ArrayList<>();
            long t0 = System.nanoTime();
            long[] firedAt = new long[3];
            ExchangeDeadlines.Entry c = new ExchangeDeadlines.Entry(now -> {
                fired.add("c");
                firedAt[2] = now - t0;
            });
            ExchangeDeadlines.Entry b = new ExchangeDeadlines.Entry(now -> {
                fired.add("b");
                firedAt[1] = now - t0;
            });
            ExchangeDeadlines.Entry a = new ExchangeDeadlines.Entry(now -> {
                fired.add("a");
                firedAt[0] = now - t0;
                // As a finished exchange's successor would: a later deadline armed from inside the callback.
                d.schedule(c, t0 + TimeUnit.MILLISECONDS.toNanos(1500));
            });
            ExchangeDeadlines.Entry gone = new ExchangeDeadlines.Entry(now -> fired.add("gone"));
            d.schedule(gone, t0 + TimeUnit.MILLISECONDS.toNanos(50));
            d.schedule(b, t0 + TimeUnit.MILLISECONDS.toNanos(300));
            d.schedule(a, t0 + TimeUnit.MILLISECONDS.toNanos(100));
            d.remove(gone);
            assertThat(d.size()).isEqualTo(2);

            long limit = t0 + TimeUnit.SECONDS.toNanos(5);
            while (fired.size() < 3 && System.nanoTime() < limit) {
                ch.runScheduledPendingTasks();
                Thread.onSpinWait();
            }
            assertThat(fired).containsExactly("a", "b", "c");
            assertThat(firedAt[0]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
            // b fires at its own deadline, not at c's later one armed while a was being told.
            assertThat(firedAt[1]).isBetween(TimeUnit.MILLISECONDS.toNanos(300), TimeUnit.MILLISECONDS.toNanos(1200));
            assertThat(firedAt[2]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(1500));
            assertThat(d.size()).isZero();
            assertThat(a.isLinked()).isFalse();
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void closingTheConnectionStopsTheTimer() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ExchangeDeadlines d = ExchangeDeadlines.of(ch);
        List<String> fired = new ArrayList<>();
        long t0 = System.nanoTime();
        d.schedule(new ExchangeDeadlines.Entry(now -> fired.add("x")), t0 + TimeUnit.MILLISECONDS.toNanos(100));
        ch.close();
        while (System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(300)) {
            ch.runScheduledPendingTasks(); // past the deadline: a live timer would have fired by now
            Thread.onSpinWait();
        }
        assertThat(fired).isEmpty();
        ch.finishAndReleaseAll();
    }
}
