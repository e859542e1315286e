package io.sallyport.core.accesslog;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Where a {@link BatchingLogWriter} puts formatted lines; used by the writer thread only. The stream
 * sinks encode lines as UTF-8 into one reusable buffer and write it when it holds
 * {@link #BATCH_BYTES} or on {@link #flush}, so many lines share one {@code write(2)}.
 */
public interface LineSink {

    /** A stream sink writes once it buffered this much, else on {@link #flush}. */
    int BATCH_BYTES = 64 * 1024;

    /** Takes one line (without separator); {@code line} is reused by the caller afterwards. */
    void line(CharSequence line) throws IOException;

    /** Writes out the lines taken so far. */
    void flush() throws IOException;

    /**
     * Standard output (file descriptor 1). Every stdout sink of the process writes under one lock, so the
     * lines of the TCP and HTTP access logs never interleave inside a batch.
     */
    static LineSink stdout() {
        return new StreamLineSink(StreamLineSink.STDOUT, StreamLineSink.STDOUT);
    }

    /** UTF-8 lines ended by the platform line separator to {@code out}. */
    static LineSink to(OutputStream out) {
        return new StreamLineSink(out, out);
    }

    /** Each line as a String to {@code consumer} (tests collect lines this way). */
    static LineSink strings(Consumer<String> consumer) {
        Objects.requireNonNull(consumer, "consumer");
        return new LineSink() {
            @Override
            public void line(CharSequence line) {
                consumer.accept(line.toString());
            }

            @Override
            public void flush() {
            }
        };
    }
}
