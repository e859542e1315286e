package io.sallyport.core.accesslog;

import java.io.PrintStream;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Writes access log lines off the event loops: {@link #log} only enqueues (never blocks), a daemon
 * thread formats and writes. When the queue is full the entry is dropped and counted in
 * {@link #dropped()}.
 */
public final class AccessLog implements AutoCloseable {

    private static final int QUEUE_CAPACITY = 65_536;
    private static final AccessLog DISABLED = new AccessLog();

    private final AccessLogFormat format;
    private final Consumer<String> sink;
    private final BlockingQueue<TcpAccessLogEntry> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;

    private AccessLog() {
        this.format = AccessLogFormat.ENVOY;
        this.sink = null;
        this.queue = null;
        this.writer = null;
    }

    private AccessLog(AccessLogFormat format, Consumer<String> sink) {
        this.format = Objects.requireNonNull(format, "format");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
        this.writer = new Thread(this::run, "sallyport-access-log");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Lines to standard output. */
    public static AccessLog stdout(AccessLogFormat format) {
        PrintStream out = System.out;
        return new AccessLog(format, out::println);
    }

    /** Lines to {@code sink}, called on the writer thread (tests collect them). */
    public static AccessLog to(AccessLogFormat format, Consumer<String> sink) {
        return new AccessLog(format, sink);
    }

    /** An access log that records nothing. */
    public static AccessLog disabled() {
        return DISABLED;
    }

    /** Enqueues one entry; never blocks. */
    public void log(TcpAccessLogEntry entry) {
        if (queue == null || closed) {
            return;
        }
        if (!queue.offer(entry)) {
            dropped.incrementAndGet();
        }
    }

    /** Entries dropped because the writer fell behind. */
    public long dropped() {
        return dropped.get();
    }

    private void run() {
        try {
            while (!closed || !queue.isEmpty()) {
                TcpAccessLogEntry e = queue.poll(100, TimeUnit.MILLISECONDS);
                if (e != null) {
                    try {
                        sink.accept(format.format(e));
                    } catch (RuntimeException ex) {
                        dropped.incrementAndGet();
                    }
                }
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes what is queued (for at most a second), then stops. */
    @Override
    public void close() {
        if (writer == null || closed) {
            return;
        }
        closed = true;
        try {
            writer.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
