package io.sallyport.core.accesslog;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Writes access log lines off the event loops: {@link #log} only enqueues (lock-free, never blocks), a
 * daemon thread formats and writes the queued entries in batches (see {@link BatchingLogWriter}). When
 * the queue is full the entry is dropped and counted in {@link #dropped()}.
 */
public final class AccessLog implements AutoCloseable {

    private static final int QUEUE_CAPACITY = 65_536;
    private static final AccessLog DISABLED = new AccessLog(null);

    private final BatchingLogWriter<TcpAccessLogEntry> writer;

    private AccessLog(BatchingLogWriter<TcpAccessLogEntry> writer) {
        this.writer = writer;
    }

    private static AccessLog create(AccessLogFormat format, LineSink sink) {
        Objects.requireNonNull(format, "format");
        return new AccessLog(new BatchingLogWriter<>("sallyport-access-log", QUEUE_CAPACITY,
                (TcpAccessLogEntry e, StringBuilder line) -> format.formatTo(e, line), sink));
    }

    /** Lines to standard output, many per write. */
    public static AccessLog stdout(AccessLogFormat format) {
        return create(format, LineSink.stdout());
    }

    /** Lines to {@code sink}, called on the writer thread (tests collect them). */
    public static AccessLog to(AccessLogFormat format, Consumer<String> sink) {
        return create(format, LineSink.strings(sink));
    }

    /** An access log that records nothing. */
    public static AccessLog disabled() {
        return DISABLED;
    }

    /** Enqueues one entry; never blocks. */
    public void log(TcpAccessLogEntry entry) {
        if (writer != null) {
            writer.offer(entry);
        }
    }

    /** Entries dropped because the writer fell behind. */
    public long dropped() {
        return writer == null ? 0 : writer.dropped();
    }

    /** Writes what is queued (for at most two seconds), then stops. */
    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
    }
}
