package io.sallyport.core.relay;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import io.sallyport.core.transport.NativeLibc;

/**
 * Grows a splice pipe beyond Linux's default 64 KiB ({@code fcntl(F_SETPIPE_SZ)}, which Netty's native
 * library does not offer), so one splice moves more and a stream needs fewer system calls and wake-ups.
 * Best effort: where the call is refused (the per-user pipe memory limit of an unprivileged process is
 * reached) or JNA cannot load, the pipe keeps its size.
 */
final class PipeSize {

    /** Linux's default pipe capacity. */
    static final int DEFAULT = 64 * 1024;
    /** What a relay pipe is grown to: a few TCP reads' worth, still a small bound per direction. */
    static final int WANTED = 256 * 1024;

    private static final int F_SETPIPE_SZ = 1031;
    /** Loaded off the event loop (JNA may unpack its native library to disk); pipes keep 64 KiB till then. */
    private static volatile LibC libc;

    static {
        Thread loader = new Thread(() -> libc = load(), "sallyport-pipe-size");
        loader.setDaemon(true);
        loader.start();
    }

    private PipeSize() {
    }

    interface LibC extends Library {
        int fcntl(int fd, int cmd, int arg) throws LastErrorException;
    }

    private static LibC load() {
        try {
            return NativeLibc.bind(LibC.class);
        } catch (Throwable e) {
            return null;
        }
    }

    /** Grows the pipe {@code fd} to {@link #WANTED}; returns its capacity (the default when not grown). */
    static int grow(int fd) {
        LibC c = libc;
        if (c == null) {
            return DEFAULT;
        }
        try {
            int size = c.fcntl(fd, F_SETPIPE_SZ, WANTED);
            return size > 0 ? size : DEFAULT;
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            return DEFAULT;
        }
    }
}
