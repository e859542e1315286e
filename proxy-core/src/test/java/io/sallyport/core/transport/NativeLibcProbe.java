package io.sallyport.core.transport;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** Child JVM for {@link NativeLibcTest}: binds {@code getpid} the way its argument says and prints the result. */
public final class NativeLibcProbe {

    /** The one function bound. */
    public interface Getpid extends Library {
        int getpid();
    }

    private NativeLibcProbe() {
    }

    public static void main(String[] args) {
        Getpid libc = "jna-default".equals(args[0]) ? Native.load("c", Getpid.class) : NativeLibc.bind(Getpid.class);
        System.out.println("pid " + libc.getpid() + " of " + ProcessHandle.current().pid());
    }
}
