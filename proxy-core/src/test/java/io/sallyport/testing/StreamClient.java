package io.sallyport.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * Blocking-socket helpers for tests: stream a deterministic pseudo-random payload of a given size
 * and checksum what comes back.
 */
public final class StreamClient {

    private StreamClient() {
    }

    /** The CRC32 of {@code size} bytes of the payload {@link #write} sends for {@code seed}. */
    public static long checksumOf(long size, long seed) {
        CRC32 crc = new CRC32();
        Random r = new Random(seed);
        byte[] chunk = new byte[64 * 1024];
        long left = size;
        while (left > 0) {
            r.nextBytes(chunk);
            int n = (int) Math.min(chunk.length, left);
            crc.update(chunk, 0, n);
            left -= n;
        }
        return crc.getValue();
    }

    /** Writes {@code size} payload bytes, counting them in {@code written} as they are accepted. */
    public static void write(OutputStream out, long size, long seed, AtomicLong written) throws IOException {
        Random r = new Random(seed);
        byte[] chunk = new byte[64 * 1024];
        long left = size;
        while (left > 0) {
            r.nextBytes(chunk);
            int n = (int) Math.min(chunk.length, left);
            out.write(chunk, 0, n);
            written.addAndGet(n);
            left -= n;
        }
        out.flush();
    }

    /** Reads to end of stream; returns {byte count, CRC32}. */
    public static long[] readAll(InputStream in) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            crc.update(buf, 0, n);
            total += n;
        }
        return new long[] {total, crc.getValue()};
    }

    /** Writes in a daemon thread, then shuts the socket's output down. */
    public static CompletableFuture<Void> writeAsync(Socket s, long size, long seed, AtomicLong written) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                write(s.getOutputStream(), size, seed, written);
                s.shutdownOutput();
                done.complete(null);
            } catch (IOException e) {
                done.completeExceptionally(e);
            }
        }, "stream-writer");
        t.setDaemon(true);
        t.start();
        return done;
    }

    /** A connected socket with a read timeout, so a broken test fails instead of hanging. */
    public static Socket connect(InetSocketAddress address, int readTimeoutMillis) throws IOException {
        Socket s = new Socket();
        s.connect(address, 5000);
        s.setSoTimeout(readTimeoutMillis);
        return s;
    }
}
