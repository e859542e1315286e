package io.sallyport.core.accesslog;

import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Carries access-log entries from event loops to one writer thread that formats and writes them in
 * batches. {@link #offer} is one lock-free enqueue (a bounded multi-producer queue): no lock, no signal
 * and no system call per entry. The writer wakes every {@link #FLUSH_INTERVAL_MILLIS} ms, or as soon as
 * {@link #WAKE_AT} entries are queued, formats every queued entry into one reusable line buffer and hands
 * the lines to its {@link LineSink}, which writes many of them per {@code write(2)}. When the queue is
 * full the entry is dropped and counted, never waited for; {@link #close} writes everything queued before
 * it returns (bounded by two seconds).
 *
 * <h3>Why a batch also wakes the writer</h3>
 * A queued entry is live until it is written. Under load the interval alone would leave tens of
 * milliseconds of entries (hundreds of KB at 40 000 requests a second) for every young collection to copy:
 * measured, that was ≈ 40 % of each pause. Waking the writer every {@link #WAKE_AT} entries bounds that to
 * one batch, for one unpark per batch; an idle proxy still wakes only once per interval.
 *
 * @param <E> the entry type
 */
public final class BatchingLogWriter<E> implements AutoCloseable {

    /** How long a line may wait before it is written (Envoy flushes file access logs every second). */
    public static final long FLUSH_INTERVAL_MILLIS = 50;

    /** Formats one entry as one line, without the line separator, appending to {@code line}. */
    @FunctionalInterface
    public interface Formatter<E> {
        void format(E entry, StringBuilder line);
    }

    /** Queued entries at which an offer wakes the writer before its interval is up. */
    public static final int WAKE_AT = 256;

    private static final int MAX_KEPT_LINE_CHARS = 64 * 1024;

    private final Queue<E> queue;
    private final Formatter<? super E> formatter;
    private final LineSink sink;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private final long intervalNanos;
    private final int wakeAt;
    private volatile boolean closed;

    /**
     * Starts the writer thread.
     *
     * @param capacity entries queued at most (rounded up to a power of two); beyond it entries are dropped
     */
    public BatchingLogWriter(String threadName, int capacity, Formatter<? super E> formatter, LineSink sink) {
        this(threadName, capacity, formatter, sink, TimeUnit.MILLISECONDS.toNanos(FLUSH_INTERVAL_MILLIS), WAKE_AT);
    }

    /** As above, with the writer's interval and batch size given (tests). */
    BatchingLogWriter(String threadName, int capacity, Formatter<? super E> formatter, LineSink sink,
                      long intervalNanos, int wakeAt) {
        this.formatter = Objects.requireNonNull(formatter, "formatter");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.queue = PlatformDependent.newFixedMpscQueue(capacity);
        this.intervalNanos = intervalNanos;
        this.wakeAt = wakeAt;
        this.writer = new Thread(this::run, Objects.requireNonNull(threadName, "threadName"));
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /**
     * Queues {@code entry} for the writer; never blocks. Returns false (and counts the entry as dropped)
     * when the queue is full; an entry offered after {@link #close} is ignored.
     */
    public boolean offer(E entry) {
        if (closed) {
            return false;
        }
        if (!queue.offer(entry)) {
            dropped.incrementAndGet();
            return false;
        }
        // Exactly at the mark, so one offer per batch pays the unpark; one that another producer's offer
        // skipped over leaves the batch to the interval.
        if (queue.size() == wakeAt) {
            LockSupport.unpark(writer);
        }
        return true;
    }

    /** The writer thread (tests). */
    Thread writerThread() {
        return writer;
    }

    /** Entries dropped because the queue was full or they could not be formatted or written. */
    public long dropped() {
        return dropped.get();
    }

    private void run() {
        StringBuilder line = new StringBuilder(512);
        while (true) {
            // Read before draining: whatever was offered before close() is in the queue by now.
            boolean last = closed;
            line = drain(line);
            if (last) {
                return;
            }
            LockSupport.parkNanos(this, intervalNanos);
        }
    }

    private StringBuilder drain(StringBuilder line) {
        int lines = 0;
        E e;
        while ((e = queue.poll()) != null) {
            line.setLength(0);
            try {
                formatter.format(e, line);
                sink.line(line);
                lines++;
            } catch (IOException | RuntimeException ex) {
                dropped.incrementAndGet();
            }
            if (line.capacity() > MAX_KEPT_LINE_CHARS) {
                line = new StringBuilder(512); // one huge line must not pin its buffer for ever
            }
        }
        if (lines > 0) {
            try {
                sink.flush();
            } catch (IOException | RuntimeException ex) {
                dropped.addAndGet(lines);
            }
        }
        return line;
    }

    /** Writes what is queued (waiting at most two seconds), then stops the writer. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LockSupport.unpark(writer);
        try {
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
