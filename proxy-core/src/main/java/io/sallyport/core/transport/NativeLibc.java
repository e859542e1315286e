package io.sallyport.core.transport;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * Binds JNA interfaces to the C library this process already has loaded, for the few Linux calls Netty's
 * native code does not offer ({@code fcntl(F_SETPIPE_SZ)}, {@code getsockopt(SO_ORIGINAL_DST)}), without
 * searching for a library and without starting a process.
 */
public final class NativeLibc {

    private static final String SEARCH_PATH = "jna.platform.library.path";

    static {
        // Unless this is set, JNA's first library load runs `/sbin/ldconfig -p` to build its search path. A new
        // process holds a copy of every open socket until it execs, so a listener closed in that moment went on
        // accepting. Only the process's own symbols are bound here: the path is never searched.
        if (System.getProperty(SEARCH_PATH) == null) {
            System.setProperty(SEARCH_PATH, "/usr/lib:/lib");
        }
    }

    private NativeLibc() {
    }

    /**
     * {@code api}'s functions bound to the process's libc. The first call may unpack JNA's own native library
     * to disk: make it off the event loops.
     *
     * @throws UnsatisfiedLinkError (or another {@link Error}) where JNA cannot load on this platform
     */
    public static <T extends Library> T bind(Class<T> api) {
        return Native.load(null, api);
    }
}
