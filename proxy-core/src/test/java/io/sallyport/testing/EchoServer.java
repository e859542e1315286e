package io.sallyport.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.sallyport.core.transport.Transport;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP or unix-socket echo server for tests: writes back every byte, and when the client shuts its
 * output down, finishes writing and shuts its own output down ({@code nc -q} semantics). Counts the
 * connections it accepted.
 */
public final class EchoServer implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel server;
    private final Path socketPath;
    private final AtomicInteger accepted = new AtomicInteger();

    private EchoServer(Transport transport, SocketAddress bindAddress, boolean unix, Path socketPath) {
        this.group = transport.newEventLoopGroup(1, "echo");
        this.socketPath = socketPath;
        ServerBootstrap b = new ServerBootstrap().group(group)
                .channel(unix ? transport.serverDomainSocketChannel() : transport.serverSocketChannel())
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.incrementAndGet();
                        ch.pipeline().addLast(new Echo());
                    }
                });
        try {
            this.server = b.bind(bindAddress).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully();
            throw new IllegalStateException(e);
        } catch (RuntimeException e) {
            group.shutdownGracefully();
            throw e;
        }
    }

    /** An echo server on {@code host}:0. */
    public static EchoServer tcp(String host) {
        return new EchoServer(Transport.platform(), new InetSocketAddress(host, 0), false, null);
    }

    /** An echo server on 127.0.0.1:0. */
    public static EchoServer tcp() {
        return tcp("127.0.0.1");
    }

    /** An echo server on a unix socket at {@code path} (removed on close). */
    public static EchoServer unix(Path path) {
        Transport t = Transport.platform();
        return new EchoServer(t, t.domainSocketAddress(path.toString()), true, path);
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
        if (socketPath != null) {
            try {
                Files.deleteIfExists(socketPath);
            } catch (java.io.IOException ignored) {
                // a leftover socket file in a temp directory is harmless
            }
        }
    }

    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent && ctx.channel() instanceof DuplexChannel d) {
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> d.shutdownOutput()
                        .addListener((ChannelFutureListener) g -> ctx.close()));
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
