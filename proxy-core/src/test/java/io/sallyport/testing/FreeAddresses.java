package io.sallyport.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback addresses and ports for tests: a random 127.x.y.z (so parallel test runs on one machine do
 * not collide on fixed ports) and a port that refuses connections.
 */
public final class FreeAddresses {

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreeAddresses() {
    }

    /**
     * A TCP port that was free on 127.0.0.1 a moment ago, for something that binds it later (a child
     * process, a listener named in a config). Never the same port twice in one JVM: the kernel may hand a
     * port it has just freed out again, and two listeners of one test would then collide.
     */
    public static int freeTcpPort() {
        for (;;) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A random address in 127.0.0.0/8, avoiding 127.0.0.1 and the .0/.255 host parts. */
    public static String randomLoopback() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "127." + r.nextInt(2, 255) + "." + r.nextInt(0, 256) + "." + r.nextInt(1, 255);
    }

    /** A port on 127.0.0.1 where nothing listens (bound to find it, then closed): connects are refused. */
    public static int refusingPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    public static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }
}
