package io.sallyport.core.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.sallyport.core.metrics.Stats;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** A Sallyport HTTP listener on loopback for tests: one cluster (or a router), a recorded access log. */
final class ProxyHarness implements AutoCloseable {

    final Stats stats = new Stats();
    final List<HttpAccessLogEntry> log = new CopyOnWriteArrayList<>();
    private final Semaphore logged = new Semaphore(0);
    /** The proxy's own allocator, so its memory use can be measured apart from clients and origins. */
    final PooledByteBufAllocator allocator = new PooledByteBufAllocator(true);
    final EventLoopGroup group = useEpoll()
            ? new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory())
            : new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    final HttpCluster cluster;
    private final Channel server;

    ProxyHarness(String clusterName, UpstreamHttpProtocol protocol, HttpTimeouts timeouts,
                 List<UpstreamEndpoint> endpoints) throws InterruptedException {
        this(clusterName, protocol, timeouts, endpoints, HttpDownstreamLimits.DEFAULTS);
    }

    ProxyHarness(String clusterName, UpstreamHttpProtocol protocol, HttpTimeouts timeouts,
                 List<UpstreamEndpoint> endpoints, HttpDownstreamLimits limits) throws InterruptedException {
        this.cluster = new HttpCluster(clusterName, protocol,
                new DirectUpstreamChannelSource(endpoints, allocator), timeouts,
                new HttpClusterStats(stats, clusterName));
        this.server = bind(a -> HttpRoute.to(cluster), limits);
    }

    ProxyHarness(Function<String, HttpRoute> router) throws InterruptedException {
        this.cluster = null;
        this.server = bind(router, HttpDownstreamLimits.DEFAULTS);
    }

    private Channel bind(Function<String, HttpRoute> router, HttpDownstreamLimits limits) throws InterruptedException {
        HttpConnectionManager manager = new HttpConnectionManager(router, e -> {
            log.add(e);
            logged.release();
        }, limits);
        return new ServerBootstrap().group(group)
                .channel(useEpoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childOption(ChannelOption.ALLOCATOR, allocator)
                .childHandler(manager)
                .bind("127.0.0.1", 0).sync().channel();
    }

    /** Epoll where available; {@code -Dsallyport.test.nio=true} forces NIO. */
    static boolean useEpoll() {
        return Epoll.isAvailable() && !Boolean.getBoolean("sallyport.test.nio");
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** Waits (bounded) for an access-log entry matching {@code p}: entries are written as exchanges end. */
    HttpAccessLogEntry awaitEntry(java.util.function.Predicate<HttpAccessLogEntry> p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            for (HttpAccessLogEntry e : log) {
                if (p.test(e)) {
                    return e;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || !logged.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                throw new AssertionError("no matching access-log entry in " + log);
            }
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        if (cluster != null) {
            cluster.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
