package io.sallyport.e2e;

import io.sallyport.testing.FreeAddresses;

/** Free loopback TCP ports for a child process to bind (see {@link FreeAddresses#freeTcpPort}). */
public final class FreePorts {

    private FreePorts() {
    }

    /** A port that was free on 127.0.0.1 a moment ago and was not handed out before in this JVM. */
    public static int tcp() {
        return FreeAddresses.freeTcpPort();
    }
}
