package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Stream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An HTTP/2 connection closes after the idle timeout with no open stream, counted from its last stream's end. */
class Http2IdleCloserTest {

    @Test
    void closesAnUnusedConnectionAfterTheTimeout() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        Http2IdleCloser idle = new Http2IdleCloser(Duration.ofSeconds(10));
        ch.pipeline().addLast(idle);
        idle.watch(new DefaultHttp2Connection(true));
        ch.advanceTimeBy(9, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anOpenStreamKeepsTheConnectionAndItsEndRestartsTheTimeout() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        Http2IdleCloser idle = new Http2IdleCloser(Duration.ofSeconds(10));
        ch.pipeline().addLast(idle);
        Http2Connection connection = new DefaultHttp2Connection(true);
        idle.watch(connection);
        Http2Stream stream = connection.remote().createStream(1, false);
        ch.advanceTimeBy(25, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("open while a stream is").isTrue();
        stream.close();
        ch.advanceTimeBy(9, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("9 s after the stream ended").isTrue();
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
