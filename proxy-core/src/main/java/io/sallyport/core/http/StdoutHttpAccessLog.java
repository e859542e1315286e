package io.sallyport.core.http;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes access-log lines in Envoy's default format to a stream from one daemon thread, so event loops
 * never block on the console. When the queue is full a line is dropped and counted, never waited for.
 */
public final class StdoutHttpAccessLog implements HttpAccessLog, AutoCloseable {

    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(8192);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private final boolean json;
    private volatile boolean closed;

    /** Envoy's default text lines ({@code json} false) or JSON objects, to standard output. */
    public StdoutHttpAccessLog(boolean json) {
        this(new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8),
                json);
    }

    public StdoutHttpAccessLog(PrintStream out, boolean json) {
        this.json = json;
        writer = new Thread(() -> drain(out), "sallyport-http-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void log(HttpAccessLogEntry entry) {
        // Formatted here (cheap, allocation only) so the writer thread holds no entry objects.
        if (!queue.offer(json ? EnvoyHttpLogFormat.json(entry) : EnvoyHttpLogFormat.format(entry))) {
            dropped.incrementAndGet();
        }
    }

    /** Lines dropped because the writer fell behind. */
    public long dropped() {
        return dropped.get();
    }

    private void drain(PrintStream out) {
        try {
            while (!closed || !queue.isEmpty()) {
                String line = queue.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (line == null) {
                    out.flush();
                    continue;
                }
                out.println(line);
                if (queue.isEmpty()) {
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.flush();
    }

    @Override
    public void close() {
        closed = true;
        try {
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
