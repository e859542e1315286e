package io.sallyport.core.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The batching writer: many lines per write, nothing lost on close, drop-and-count when full. */
class BatchingLogWriterTest {

    /** Records every write call and what it wrote. */
    private static final class CountingStream extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final AtomicInteger writes = new AtomicInteger();

        @Override
        public synchronized void write(int b) {
            writes.incrementAndGet();
            bytes.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            writes.incrementAndGet();
            bytes.write(b, off, len);
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    /** A sink adding each line to {@code lines} (under its lock) and counting it down on {@code written}. */
    private static LineSink collecting(List<String> lines, CountDownLatch written) {
        return LineSink.strings(l -> {
            synchronized (lines) {
                lines.add(l);
            }
            written.countDown();
        });
    }

    @Test
    void manyLinesShareAWriteAndCloseWritesEverythingQueued() {
        CountingStream out = new CountingStream();
        StringBuilder expected = new StringBuilder();
        try (BatchingLogWriter<Integer> w = new BatchingLogWriter<>("test-log", 4096,
                (Integer i, StringBuilder line) -> line.append("line ").append(i).append(" é€😀"), LineSink.to(out))) {
            for (int i = 0; i < 3000; i++) {
                assertThat(w.offer(i)).isTrue();
                expected.append("line ").append(i).append(" é€😀").append(System.lineSeparator());
            }
        }
        assertThat(out.text()).isEqualTo(expected.toString());
        // 3000 lines of ~20 bytes: one or two 64 KiB batches per wake-up, never a write per line.
        assertThat(out.writes.get()).isLessThan(50);
    }

    @Test
    void linesAreWrittenWithoutClosingWithinTheFlushInterval() throws Exception {
        CountDownLatch written = new CountDownLatch(1);
        List<String> lines = new ArrayList<>();
        try (BatchingLogWriter<String> w = new BatchingLogWriter<>("test-log", 16, (String s, StringBuilder line) ->
                line.append(s), collecting(lines, written))) {
            w.offer("hello");
            assertThat(written.await(5, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(lines).containsExactly("hello");
    }

    @Test
    void aFullBatchWakesTheWriterBeforeItsInterval() throws Exception {
        CountDownLatch written = new CountDownLatch(4);
        List<String> lines = new ArrayList<>();
        // An interval of an hour: only the batch can wake the writer within the test.
        try (BatchingLogWriter<String> w = new BatchingLogWriter<>("test-log", 16, (String s, StringBuilder line) ->
                line.append(s), collecting(lines, written), TimeUnit.HOURS.toNanos(1), 4)) {
            // Its first drain at start found nothing: it is parked for the interval now.
            assertThat(Await.until(() -> w.writerThread().getState() == Thread.State.TIMED_WAITING,
                    Duration.ofSeconds(10))).isTrue();
            // Two batches' worth: should a spurious wake-up drain the first entries early, the rest still make
            // a full batch.
            for (String s : List.of("a", "b", "c", "d", "e", "f", "g", "h")) {
                assertThat(w.offer(s)).isTrue();
            }
            assertThat(written.await(10, TimeUnit.SECONDS)).as("written without waiting for the interval").isTrue();
            synchronized (lines) {
                assertThat(lines.subList(0, 4)).containsExactly("a", "b", "c", "d");
            }
        }
        assertThat(lines).containsExactly("a", "b", "c", "d", "e", "f", "g", "h");
    }

    @Test
    void aFullQueueDropsAndCountsWithoutBlocking() throws Exception {
        CountDownLatch writerBusy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> lines = new ArrayList<>();
        BatchingLogWriter<String> w = new BatchingLogWriter<>("test-log", 8, (String s, StringBuilder line) ->
                line.append(s), LineSink.strings(l -> {
                    writerBusy.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    synchronized (lines) {
                        lines.add(l);
                    }
                }));
        try {
            w.offer("first");
            assertThat(writerBusy.await(5, TimeUnit.SECONDS)).isTrue(); // the writer holds "first"
            int accepted = 0;
            for (int i = 0; i < 100; i++) {
                if (w.offer("x" + i)) {
                    accepted++;
                }
            }
            assertThat(accepted).isEqualTo(8);
            assertThat(w.dropped()).isEqualTo(92);
            release.countDown();
        } finally {
            w.close();
        }
        assertThat(lines).hasSize(9).startsWith("first", "x0");
        assertThat(w.offer("after close")).isFalse();
    }

    @Test
    void aFailingEntryIsCountedAndTheRestStillWritten() {
        CountingStream out = new CountingStream();
        BatchingLogWriter<String> w = new BatchingLogWriter<>("test-log", 16, (String s, StringBuilder line) -> {
            if (s.equals("bad")) {
                throw new IllegalStateException("unformattable");
            }
            line.append(s);
        }, LineSink.to(out));
        w.offer("a");
        w.offer("bad");
        w.offer("b");
        w.close();
        assertThat(out.text()).isEqualTo("a" + System.lineSeparator() + "b" + System.lineSeparator());
        assertThat(w.dropped()).isEqualTo(1);
    }
}
