package io.sallyport.listeners.transparent;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.ptr.IntByReference;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.sallyport.core.transport.NativeLibc;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovers the destination an intercepted connection was originally dialed to.
 *
 * <p>After iptables {@code REDIRECT} (Kuma's and Istio's default interception) the accepted socket's
 * local address is the proxy's own port; the original one is kept by conntrack and read with
 * {@code getsockopt(fd, SOL_IP, SO_ORIGINAL_DST)} (IPv4, {@code struct sockaddr_in}) or
 * {@code getsockopt(fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST)} (IPv6, {@code struct sockaddr_in6}), both
 * option 80. Under TPROXY ({@code IP_TRANSPARENT}) or AnyIP routes there is no NAT: the accepted
 * socket's local address <em>is</em> the original destination, and it is the fallback whenever the
 * socket option is unavailable or fails (no conntrack entry: {@code ENOENT}).
 *
 * <h2>Why JNA</h2>
 * Java 17 has no API for either option and Netty's epoll transport exposes no generic
 * {@code getsockopt} returning a struct, so this class calls libc's {@code getsockopt} through JNA (a
 * dependency the project already has, well kept, no native code of our own to build) on the file
 * descriptor of an {@link EpollSocketChannel}. The call is one non-blocking system call, safe on the
 * event loop. NIO channels expose no descriptor, so with NIO (non-Linux) only the local address is
 * available: REDIRECT interception needs the epoll transport.
 */
public final class OriginalDestination {

    private static final Logger log = LoggerFactory.getLogger(OriginalDestination.class);

    static final int SOL_IP = 0;
    static final int SOL_IPV6 = 41;
    static final int SO_ORIGINAL_DST = 80;
    static final int IP6T_SO_ORIGINAL_DST = 80;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCKADDR_IN_SIZE = 16;
    private static final int SOCKADDR_IN6_SIZE = 28;

    private static final LibC LIBC = loadLibC();

    private OriginalDestination() {
    }

    /** How the destination was found. */
    public enum Source {
        /** Read from conntrack with {@code SO_ORIGINAL_DST} / {@code IP6T_SO_ORIGINAL_DST} (REDIRECT). */
        SO_ORIGINAL_DST,
        /** The accepted socket's local address (TPROXY, AnyIP, or no NAT entry). */
        LOCAL_ADDRESS
    }

    /**
     * A recovered destination.
     *
     * @param address the original destination address and port
     * @param source  how it was found
     */
    public record Recovered(InetSocketAddress address, Source source) {
        public Recovered {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(source, "source");
        }
    }

    /** Whether the native {@code getsockopt} route is usable in this process. */
    public static boolean nativeAvailable() {
        return LIBC != null;
    }

    /**
     * The original destination of an accepted connection: {@code SO_ORIGINAL_DST} on an epoll channel
     * when the kernel has it, otherwise the channel's local address.
     *
     * @throws IllegalStateException if the channel has no IP local address (closed, or not a TCP/IP channel)
     */
    public static Recovered of(Channel channel) {
        SocketAddress local = channel.localAddress();
        if (!(local instanceof InetSocketAddress localAddress)) {
            throw new IllegalStateException("channel has no IP local address: " + local);
        }
        if (LIBC != null && channel instanceof EpollSocketChannel epoll && epoll.isOpen()) {
            InetSocketAddress original = query(epoll.fd().intValue(), localAddress.getAddress());
            if (original != null) {
                return new Recovered(original, Source.SO_ORIGINAL_DST);
            }
        }
        return new Recovered(localAddress, Source.LOCAL_ADDRESS);
    }

    /**
     * Reads the conntrack original destination of socket {@code fd} whose local address is
     * {@code localAddress}, or returns null when the kernel has none.
     */
    static InetSocketAddress query(int fd, InetAddress localAddress) {
        if (LIBC == null) {
            return null;
        }
        boolean ipv6 = !(localAddress instanceof Inet4Address);
        InetSocketAddress result = ipv6 ? get(fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST, SOCKADDR_IN6_SIZE) : null;
        if (result == null) {
            // An IPv4 socket, or an IPv4 connection accepted by a dual-stack IPv6 socket.
            result = get(fd, SOL_IP, SO_ORIGINAL_DST, SOCKADDR_IN_SIZE);
        }
        return result;
    }

    private static InetSocketAddress get(int fd, int level, int option, int size) {
        byte[] sockaddr = new byte[size];
        IntByReference length = new IntByReference(size);
        try {
            LIBC.getsockopt(fd, level, option, sockaddr, length);
        } catch (LastErrorException e) {
            // ENOENT: no conntrack entry (not redirected); ENOPROTOOPT: module not loaded.
            return null;
        }
        return decode(sockaddr, length.getValue());
    }

    /** Decodes a {@code struct sockaddr_in} / {@code sockaddr_in6} (family in host order, port big-endian). */
    static InetSocketAddress decode(byte[] sockaddr, int length) {
        if (length < 2) {
            return null;
        }
        int family = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN
                ? (sockaddr[0] & 0xFF) | (sockaddr[1] & 0xFF) << 8
                : (sockaddr[0] & 0xFF) << 8 | (sockaddr[1] & 0xFF);
        int port = (sockaddr[2] & 0xFF) << 8 | (sockaddr[3] & 0xFF);
        try {
            if (family == AF_INET && length >= SOCKADDR_IN_SIZE) {
                return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(sockaddr, 4, 8)), port);
            }
            if (family == AF_INET6 && length >= SOCKADDR_IN6_SIZE) {
                return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(sockaddr, 8, 24)), port);
            }
        } catch (UnknownHostException e) {
            return null; // cannot happen for 4- or 16-byte arrays
        }
        return null;
    }

    private static LibC loadLibC() {
        try {
            if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
                return null;
            }
            return NativeLibc.bind(LibC.class);
        } catch (Throwable t) {
            log.warn("libc getsockopt unavailable, original destination falls back to the local address: {}", t.toString());
            return null;
        }
    }

    /** The one libc function used. */
    interface LibC extends Library {
        int getsockopt(int fd, int level, int option, byte[] value, IntByReference length) throws LastErrorException;
    }
}
