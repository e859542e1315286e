package io.sallyport.core.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link UpstreamChannelSource} over a fixed list of endpoints, round-robin, connecting directly with
 * epoll when the event loop is an epoll loop, NIO otherwise. Addresses should be resolved: Netty's default resolver blocks.
 * The cluster module's endpoint selector replaces it where DNS endpoints and priorities are needed.
 */
public final class DirectUpstreamChannelSource implements UpstreamChannelSource {

    private final List<UpstreamEndpoint> endpoints;
    private final ByteBufAllocator allocator;
    private final AtomicInteger next = new AtomicInteger();

    public DirectUpstreamChannelSource(List<UpstreamEndpoint> endpoints) {
        this(endpoints, ByteBufAllocator.DEFAULT);
    }

    /** With the allocator the upstream channels use (the listener's, so memory is accounted in one place). */
    public DirectUpstreamChannelSource(List<UpstreamEndpoint> endpoints, ByteBufAllocator allocator) {
        this.endpoints = List.copyOf(endpoints);
        this.allocator = allocator;
    }

    @Override
    public List<UpstreamEndpoint> endpoints() {
        int n = endpoints.size();
        if (n <= 1) {
            return endpoints;
        }
        int start = Math.floorMod(next.getAndIncrement(), n);
        List<UpstreamEndpoint> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(endpoints.get((start + i) % n));
        }
        return order;
    }

    @Override
    public Future<Channel> connect(UpstreamEndpoint endpoint, EventLoop loop, Duration connectTimeout) {
        boolean unix = endpoint.address() instanceof DomainSocketAddress;
        boolean epoll = loop instanceof IoEventLoop io && io.isIoType(EpollIoHandler.class);
        Bootstrap b = new Bootstrap()
                .group(loop)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOCATOR, allocator)
                .handler(new ChannelInboundHandlerAdapter());
        if (unix) {
            b.channel(EpollDomainSocketChannel.class);
        } else {
            b.channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true);
        }
        if (!connectTimeout.isZero()) {
            b.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
        }
        Promise<Channel> promise = loop.newPromise();
        ChannelFuture f = b.connect(endpoint.address());
        f.addListener(done -> {
            if (done.isSuccess()) {
                promise.trySuccess(f.channel());
            } else {
                promise.tryFailure(done.cause());
            }
        });
        return promise;
    }
}
