package io.sallyport.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TransportTest {

    @Test
    void defaultConcurrencyIsOneEventLoopPerAvailableCpu() {
        assertThat(Transport.defaultConcurrency()).isEqualTo(Runtime.getRuntime().availableProcessors());
        for (Transport t : List.of(Transport.platform(), Transport.nio())) {
            assertThat(loops(t, 0)).isEqualTo(Transport.defaultConcurrency());
        }
    }

    @Test
    void anExplicitThreadCountIsKept() {
        assertThat(loops(Transport.platform(), 3)).isEqualTo(3);
        assertThat(loops(Transport.nio(), 1)).isEqualTo(1);
    }

    @Test
    void negativeThreadCountsAreRefused() {
        assertThatThrownBy(() -> Transport.nio().newEventLoopGroup(-1, "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    private static int loops(Transport transport, int threads) {
        EventLoopGroup group = transport.newEventLoopGroup(threads, "transport-test");
        try {
            List<EventExecutor> executors = new ArrayList<>();
            group.iterator().forEachRemaining(executors::add);
            return executors.size();
        } finally {
            assertThat(group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS))
                    .isTrue();
        }
    }
}
