package io.sallyport.core.http;

import io.sallyport.core.accesslog.BatchingLogWriter;
import io.sallyport.core.accesslog.LineSink;
import java.io.OutputStream;

/**
 * Writes access-log lines in Envoy's default format (or JSON) to a stream from one daemon thread, so
 * event loops never block on the console: {@link #log} is one lock-free enqueue, and the writer formats
 * and writes the queued entries in batches, many lines per write (see {@link BatchingLogWriter}). When
 * the queue is full a line is dropped and counted, never waited for.
 */
public final class StdoutHttpAccessLog implements HttpAccessLog, AutoCloseable {

    private static final int QUEUE_CAPACITY = 8192;

    private final BatchingLogWriter<HttpAccessLogEntry> writer;

    /** Envoy's default text lines ({@code json} false) or JSON objects, to standard output. */
    public StdoutHttpAccessLog(boolean json) {
        this(LineSink.stdout(), json);
    }

    /** Lines (UTF-8, platform line separator) to {@code out}. */
    public StdoutHttpAccessLog(OutputStream out, boolean json) {
        this(LineSink.to(out), json);
    }

    private StdoutHttpAccessLog(LineSink sink, boolean json) {
        BatchingLogWriter.Formatter<HttpAccessLogEntry> format =
                json ? EnvoyHttpLogFormat::jsonTo : EnvoyHttpLogFormat::formatTo;
        this.writer = new BatchingLogWriter<>("sallyport-http-access-log", QUEUE_CAPACITY, format, sink);
    }

    @Override
    public void log(HttpAccessLogEntry entry) {
        // Formatted on the writer thread: the event loop only enqueues.
        writer.offer(entry);
    }

    /** Lines dropped because the writer fell behind. */
    public long dropped() {
        return writer.dropped();
    }

    /** Writes what is queued (for at most two seconds), then stops. */
    @Override
    public void close() {
        writer.close();
    }
}
