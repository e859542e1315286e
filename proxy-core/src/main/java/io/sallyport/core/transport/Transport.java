package io.sallyport.core.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The Netty transport of this process: event loop groups and the channel classes that go with them.
 * Epoll when {@link Epoll#isAvailable()}, NIO otherwise (or when {@code -Dsallyport.transport=nio}).
 * Channels must match the loop they are registered on, so every module asks this class for both.
 */
public final class Transport {

    /** The system property that turns on polling before an event loop blocks, in microseconds. */
    public static final String SPIN_PROPERTY = "sallyport.eventLoop.spinMicros";

    private static final Transport EPOLL = new Transport(true);
    private static final Transport NIO = new Transport(false);
    private static final Duration LISTENER_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final boolean epoll;
    // Constructor references rather than Netty's reflective factory, which looks the constructor up again
    // for every bootstrap (one per upstream connection) and calls it reflectively.
    private final ChannelFactory<ServerSocketChannel> serverSocketChannelFactory;
    private final ChannelFactory<SocketChannel> socketChannelFactory;
    private final ChannelFactory<Channel> domainSocketChannelFactory;

    private Transport(boolean epoll) {
        this.epoll = epoll;
        if (epoll) {
            serverSocketChannelFactory = EpollServerSocketChannel::new;
            socketChannelFactory = EpollSocketChannel::new;
            domainSocketChannelFactory = EpollDomainSocketChannel::new;
        } else {
            serverSocketChannelFactory = NioListeningChannel::new;
            socketChannelFactory = NioSocketChannel::new;
            domainSocketChannelFactory = NioDomainSocketChannel::new;
        }
    }

    /** Epoll when the native library loads on this platform, else NIO. */
    public static Transport platform() {
        boolean forceNio = "nio".equalsIgnoreCase(System.getProperty("sallyport.transport"));
        return !forceNio && Epoll.isAvailable() ? EPOLL : NIO;
    }

    /** The NIO transport, always available (tests compare the two). */
    public static Transport nio() {
        return NIO;
    }

    public boolean isEpoll() {
        return epoll;
    }

    /**
     * The default number of data-path event loops: one per CPU this process may run on (its affinity mask
     * and container CPU quota, as {@link Runtime#availableProcessors()} sees them), like Envoy's
     * {@code --concurrency}. Netty's own default, 2 × that, gives a proxy pinned to one CPU two event loops
     * that only take turns on it, each with its own buffers, caches and connection pools.
     */
    public static int defaultConcurrency() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /**
     * A new event loop group of {@code threads} threads; {@code 0} means {@link #defaultConcurrency()}.
     *
     * @throws IllegalArgumentException when {@code threads} is negative
     */
    public EventLoopGroup newEventLoopGroup(int threads, String threadNamePrefix) {
        return newEventLoopGroup(threads, new DefaultThreadFactory(threadNamePrefix));
    }

    /** As {@link #newEventLoopGroup(int, String)}, with threads from {@code threadFactory}. */
    public EventLoopGroup newEventLoopGroup(int threads, ThreadFactory threadFactory) {
        return newEventLoopGroup(threads, threadFactory, 0);
    }

    /**
     * The data path's event loops: as {@link #newEventLoopGroup(int, String)}, and when
     * {@code -Dsallyport.eventLoop.spinMicros=N} (1 to 1000) is given, each loop polls for ready I/O for up to
     * N µs before it blocks ({@link SpinningSelectStrategy}). Off by default: it trades CPU for fewer wake-ups.
     *
     * @throws IllegalArgumentException when {@code threads} is negative or the property is not a whole number
     *     from 0 to 1000
     */
    public EventLoopGroup newDataPathEventLoopGroup(int threads, String threadNamePrefix) {
        return newEventLoopGroup(threads, new DefaultThreadFactory(threadNamePrefix),
                spinMicros(System.getProperty(SPIN_PROPERTY)));
    }

    EventLoopGroup newEventLoopGroup(int threads, ThreadFactory threadFactory, int spinMicros) {
        if (threads < 0) {
            throw new IllegalArgumentException("event loop threads must be >= 0, got " + threads);
        }
        IoHandlerFactory io;
        if (spinMicros == 0) {
            io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        } else {
            long windowNanos = TimeUnit.MICROSECONDS.toNanos(spinMicros);
            SelectStrategyFactory spinning = () -> new SpinningSelectStrategy(windowNanos, System::nanoTime);
            io = epoll ? EpollIoHandler.newFactory(0, spinning)
                    : NioIoHandler.newFactory(SelectorProvider.provider(), spinning);
        }
        return new MultiThreadIoEventLoopGroup(threads == 0 ? defaultConcurrency() : threads, threadFactory, io);
    }

    /** Parses {@link #SPIN_PROPERTY}: absent or blank is 0 (off). */
    static int spinMicros(String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            int micros = Integer.parseInt(value.trim());
            if (micros >= 0 && micros <= 1000) {
                return micros;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + SPIN_PROPERTY + " must be a whole number of microseconds from 0"
                + " to 1000, got '" + value + "'");
    }

    public Class<? extends ServerSocketChannel> serverSocketChannel() {
        return epoll ? EpollServerSocketChannel.class : NioListeningChannel.class;
    }

    /**
     * Closes a listening channel and returns once its socket is gone: connections to its address are refused
     * and the address can be bound again. Call it off the event loops (a reload, a drain, a shutdown).
     * Epoll closes the socket within the channel's close; NIO only when the channel's selector next runs,
     * after the close has completed, so for NIO this waits for the event loop to have passed that point.
     *
     * @return false when that did not happen within five seconds (an event loop stuck that long)
     */
    public static boolean closeListening(Channel listening) {
        long deadline = System.nanoTime() + LISTENER_CLOSE_TIMEOUT.toNanos();
        if (!listening.close().awaitUninterruptibly(LISTENER_CLOSE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
            return false;
        }
        if (!(listening instanceof NioListeningChannel nio)) {
            return true;
        }
        EventLoop loop = listening.eventLoop();
        for (;;) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            // Asked on the loop itself: a task runs either before its next select (not yet released, ask again:
            // the question wakes the selector) or after it, when the JDK has closed the socket.
            Future<Boolean> released;
            try {
                released = loop.submit(nio::socketReleased);
            } catch (RejectedExecutionException e) {
                return true; // the loop has shut down, and its selector with every socket on it
            }
            if (!released.awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                return false;
            }
            if (!released.isSuccess() || released.getNow()) {
                return released.isSuccess();
            }
        }
    }

    public Class<? extends SocketChannel> socketChannel() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** Makes {@link #serverSocketChannel()}s, for {@code channelFactory} on a bootstrap. */
    public ChannelFactory<ServerSocketChannel> serverSocketChannelFactory() {
        return serverSocketChannelFactory;
    }

    /** Makes {@link #socketChannel()}s, for {@code channelFactory} on a bootstrap. */
    public ChannelFactory<SocketChannel> socketChannelFactory() {
        return socketChannelFactory;
    }

    /**
     * Makes client channels for unix domain sockets, for {@code channelFactory} on a bootstrap; both transports'
     * are duplex channels (half-close works).
     */
    public ChannelFactory<Channel> domainSocketChannelFactory() {
        return domainSocketChannelFactory;
    }

    public Class<? extends DatagramChannel> datagramChannel() {
        return epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    public Class<? extends ServerChannel> serverDomainSocketChannel() {
        return epoll ? EpollServerDomainSocketChannel.class : NioServerDomainSocketChannel.class;
    }

    /** The socket address type this transport's domain socket channels take for {@code path}. */
    public SocketAddress domainSocketAddress(String path) {
        return epoll ? new DomainSocketAddress(path) : UnixDomainSocketAddress.of(path);
    }

    @Override
    public String toString() {
        return epoll ? "epoll" : "nio";
    }
}
