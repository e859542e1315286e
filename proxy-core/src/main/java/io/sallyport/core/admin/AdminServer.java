package io.sallyport.core.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sallyport.core.transport.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The admin HTTP/1.1 server: one small event loop (the process's {@link Transport}), requests aggregated up
 * to 64 KiB and dispatched through {@link AdminRoutes}. Bind it to loopback: the API can stop the process.
 *
 * <p>It is bound before the proxy starts (a port in use stops the start before anything else) and accepts
 * from {@link #startAccepting()} on, once the start is complete: a client that connects in between waits in
 * the kernel's accept queue and is answered then, rather than the start spending its CPU on answering
 * "not ready" to every poll.
 */
public final class AdminServer implements AutoCloseable {

    static final int MAX_REQUEST_BYTES = 64 * 1024;
    private static final int IDLE_SECONDS = 60;
    private static final ByteBufAllocator ALLOCATOR = new UnpooledByteBufAllocator(false);

    private final EventLoopGroup group;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds {@code address} and serves {@code routes} at once.
     *
     * @throws IOException when the address cannot be bound (in use, not local), with a one-line message
     */
    public static AdminServer start(InetSocketAddress address, AdminRoutes routes) throws IOException {
        AdminServer server = bind(address, routes);
        server.startAccepting();
        return server;
    }

    /**
     * Binds {@code address} for {@code routes}; connections are accepted from {@link #startAccepting()} on.
     *
     * @throws IOException when the address cannot be bound (in use, not local), with a one-line message
     */
    public static AdminServer bind(InetSocketAddress address, AdminRoutes routes) throws IOException {
        return bind(address, routes, Transport.platform());
    }

    /** As {@link #bind(InetSocketAddress, AdminRoutes)} on {@code transport} (tests cover both). */
    static AdminServer bind(InetSocketAddress address, AdminRoutes routes, Transport transport) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(routes, "routes");
        EventLoopGroup group = transport.newEventLoopGroup(1, new DefaultThreadFactory("sallyport-admin", true));
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channelFactory(transport.serverSocketChannelFactory())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.AUTO_READ, false)
                // Unpooled buffers: a few small requests a minute do not need a pool, and the pooled
                // allocator would set up per-thread chunks for this thread on the way to the first /ready.
                .option(ChannelOption.ALLOCATOR, ALLOCATOR)
                .childOption(ChannelOption.ALLOCATOR, ALLOCATOR)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpServerExpectContinueHandler())
                                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast(new AdminHttpHandler(routes));
                    }
                });
        ChannelFuture bind = bootstrap.bind(address).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            throw new IOException("cannot bind admin address " + hostPort(address) + ": "
                    + shortReason(bind.cause()), bind.cause());
        }
        return new AdminServer(group, bind.channel());
    }

    /** Accepts the connections waiting since {@link #bind} and every later one. */
    public void startAccepting() {
        channel.config().setAutoRead(true);
    }

    /** The allocator of the admin connections (unpooled). */
    ByteBufAllocator allocator() {
        return channel.config().getAllocator();
    }

    /** The bound address (the real port when started on port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Stops accepting, closes open admin connections and the event loop; waits up to a few seconds. */
    @Override
    public void close() {
        Transport.closeListening(channel);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    static String hostPort(InetSocketAddress a) {
        String host = a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** "Address already in use" rather than Netty's "bind(..) failed with error(-98): Address already in use". */
    private static String shortReason(Throwable cause) {
        if (cause == null) {
            return "unknown error";
        }
        String m = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        int i = m.lastIndexOf(": ");
        return i >= 0 ? m.substring(i + 2) : m;
    }
}
