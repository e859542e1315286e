package io.sallyport.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.SelectStrategy;
import org.junit.jupiter.api.Test;

class SpinningSelectStrategyTest {

    private static final long MAX = 20_000;

    /** A clock that advances by a fixed step on every read, and the select-now calls it has seen. */
    private static final class Clock {
        long now = 1_000_000;
        long step = 1_000;
        int selects;

        long read() {
            now += step;
            return now;
        }
    }

    @Test
    void withTasksItSelectsOnceWithoutPolling() throws Exception {
        Clock clock = new Clock();
        SpinningSelectStrategy strategy = new SpinningSelectStrategy(MAX, clock::read);

        int strategyValue = strategy.calculateStrategy(() -> {
            clock.selects++;
            return 0;
        }, true);

        assertThat(strategyValue).isZero();
        assertThat(clock.selects).isEqualTo(1);
    }

    @Test
    void readyEventsFoundWhilePollingAreReturnedAndTheWindowIsKept() throws Exception {
        Clock clock = new Clock();
        SpinningSelectStrategy strategy = new SpinningSelectStrategy(MAX, clock::read);

        int strategyValue = strategy.calculateStrategy(() -> ++clock.selects == 3 ? 7 : 0, false);

        assertThat(strategyValue).isEqualTo(7);
        assertThat(clock.selects).isEqualTo(3);
        assertThat(strategy.windowNanos()).isEqualTo(MAX);
    }

    @Test
    void nothingReadyWithinTheWindowLetsTheLoopBlock() throws Exception {
        Clock clock = new Clock();
        SpinningSelectStrategy strategy = new SpinningSelectStrategy(MAX, clock::read);
        long start = clock.now;

        int strategyValue = strategy.calculateStrategy(() -> {
            clock.selects++;
            return 0;
        }, false);

        assertThat(strategyValue).isEqualTo(SelectStrategy.SELECT);
        // One clock read per poll, 1 µs apart: about the window's worth of polls, not more.
        assertThat(clock.selects).isBetween(19, 21);
        assertThat(clock.now - start).isBetween(MAX, MAX + 2 * clock.step);
    }

    @Test
    void pollsThatFindNothingHalveTheWindowUntilTheLoopBlocksAtOnceThenItProbesAgain() throws Exception {
        Clock clock = new Clock();
        SpinningSelectStrategy strategy = new SpinningSelectStrategy(MAX, clock::read);

        period(strategy, 0);
        assertThat(strategy.windowNanos()).isEqualTo(MAX / 2);
        for (int i = 0; i < 4; i++) {
            period(strategy, 0);
        }
        assertThat(strategy.windowNanos()).as("20 -> 10 -> 5 -> 2.5 -> 1.25 -> 0 µs").isZero();

        int[] selects = {0};
        for (int i = 0; i < SpinningSelectStrategy.PROBE_AFTER_BLOCKS - 1; i++) {
            assertThat(strategy.calculateStrategy(() -> ++selects[0], false)).isEqualTo(SelectStrategy.SELECT);
        }
        assertThat(selects[0]).as("a loop that stopped polling blocks without polling").isZero();

        assertThat(strategy.calculateStrategy(() -> ++selects[0], false)).isEqualTo(SelectStrategy.SELECT);
        assertThat(strategy.windowNanos()).isEqualTo(MAX / 2);
        assertThat(strategy.calculateStrategy(() -> ++selects[0], false)).isEqualTo(1);
        assertThat(selects[0]).as("the probe polls again").isEqualTo(1);
    }

    @Test
    void pollsThatMostlyFindWorkGrowTheWindowBackToItsMaximum() throws Exception {
        Clock clock = new Clock();
        SpinningSelectStrategy strategy = new SpinningSelectStrategy(MAX, clock::read);
        period(strategy, 0);
        period(strategy, 0);
        assertThat(strategy.windowNanos()).isEqualTo(MAX / 4);

        period(strategy, SpinningSelectStrategy.PERIOD * 3 / 4);
        assertThat(strategy.windowNanos()).isEqualTo(MAX / 2);
        period(strategy, SpinningSelectStrategy.PERIOD);
        assertThat(strategy.windowNanos()).isEqualTo(MAX);
        period(strategy, SpinningSelectStrategy.PERIOD);
        assertThat(strategy.windowNanos()).as("never above the maximum").isEqualTo(MAX);
    }

    @Test
    void pollsThatFindWorkBetweenHalfAndThreeQuartersOfTheTimeKeepTheWindow() throws Exception {
        Clock clock = new Clock();
        SpinningSelectStrategy strategy = new SpinningSelectStrategy(MAX, clock::read);
        period(strategy, 0);

        period(strategy, SpinningSelectStrategy.PERIOD / 2);
        assertThat(strategy.windowNanos()).isEqualTo(MAX / 2);
        period(strategy, SpinningSelectStrategy.PERIOD * 3 / 4 - 1);
        assertThat(strategy.windowNanos()).isEqualTo(MAX / 2);
    }

    /** One adaptation period of polls, of which the first {@code foundWork} find a ready event at once. */
    private static void period(SpinningSelectStrategy strategy, int foundWork) throws Exception {
        for (int i = 0; i < SpinningSelectStrategy.PERIOD; i++) {
            int ready = i < foundWork ? 1 : 0;
            assertThat(strategy.calculateStrategy(() -> ready, false))
                    .isEqualTo(ready != 0 ? ready : SelectStrategy.SELECT);
        }
    }

    @Test
    void aWindowBelowOneMicrosecondIsRefused() {
        assertThatThrownBy(() -> new SpinningSelectStrategy(999, System::nanoTime))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("999");
    }
}
