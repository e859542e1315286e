package io.sallyport.core.accesslog;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/** A {@link LineSink} to a byte stream: UTF-8 into a growing buffer, written at line boundaries. */
final class StreamLineSink implements LineSink {

    /** The process's one unbuffered stream on file descriptor 1 (also the lock of every stdout sink). */
    static final OutputStream STDOUT = new FileOutputStream(FileDescriptor.out);

    private static final byte[] SEPARATOR = System.lineSeparator().getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final OutputStream out;
    private final Object lock;
    private byte[] buf = new byte[BATCH_BYTES + 4096];
    private int pos;

    StreamLineSink(OutputStream out, Object lock) {
        this.out = Objects.requireNonNull(out, "out");
        this.lock = lock;
    }

    @Override
    public void line(CharSequence line) throws IOException {
        int n = line.length();
        ensure(n * 3 + SEPARATOR.length);
        byte[] b = buf;
        int p = pos;
        for (int i = 0; i < n; i++) {
            char c = line.charAt(i);
            if (c < 0x80) {
                b[p++] = (byte) c;
            } else if (c < 0x800) {
                b[p++] = (byte) (0xc0 | (c >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(line.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, line.charAt(++i));
                b[p++] = (byte) (0xf0 | (cp >> 18));
                b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                b[p++] = (byte) (0x80 | (cp & 0x3f));
            } else if (Character.isSurrogate(c)) {
                b[p++] = '?'; // an unpaired surrogate, as the JDK's UTF-8 encoder replaces it
            } else {
                b[p++] = (byte) (0xe0 | (c >> 12));
                b[p++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                b[p++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        for (byte s : SEPARATOR) {
            b[p++] = s;
        }
        pos = p;
        if (pos >= BATCH_BYTES) {
            write();
        }
    }

    @Override
    public void flush() throws IOException {
        write();
        synchronized (lock) {
            out.flush();
        }
        if (buf.length > 4 * BATCH_BYTES) {
            buf = new byte[BATCH_BYTES + 4096]; // give back what one huge line needed
        }
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            byte[] bigger = new byte[Math.max(buf.length * 2, pos + more)];
            System.arraycopy(buf, 0, bigger, 0, pos);
            buf = bigger;
        }
    }

    private void write() throws IOException {
        if (pos == 0) {
            return;
        }
        int n = pos;
        pos = 0; // a failed write drops the batch rather than repeating it for ever
        synchronized (lock) {
            out.write(buf, 0, n);
        }
    }
}
