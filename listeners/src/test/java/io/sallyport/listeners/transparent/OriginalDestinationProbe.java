package io.sallyport.listeners.transparent;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.util.NetUtil;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A tiny server run inside a test network namespace: listens with epoll on 127.0.0.1 and ::1 at the
 * given ports and prints, for each accepted connection, what {@link OriginalDestination} recovers.
 * Prints {@code READY} once bound and exits when its standard input closes.
 */
public final class OriginalDestinationProbe {

    private OriginalDestinationProbe() {
    }

    /** Prints the recovered destination of each accepted connection, then closes it. */
    @ChannelHandler.Sharable
    private static final class Report extends ChannelInboundHandlerAdapter {
        private final PrintStream out;

        Report(PrintStream out) {
            this.out = out;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            OriginalDestination.Recovered recovered = OriginalDestination.of(ctx.channel());
            out.println("ACCEPTED " + NetUtil.toSocketAddressString((InetSocketAddress) ctx.channel().localAddress())
                    + " " + NetUtil.toSocketAddressString(recovered.address()) + " " + recovered.source());
            ctx.close();
        }
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                    .childHandler(new Report(out));
            Channel v4 = bootstrap.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), Integer.parseInt(args[0])))
                    .sync().channel();
            Channel v6 = bootstrap.bind(new InetSocketAddress(InetAddress.getByName("::1"), Integer.parseInt(args[1])))
                    .sync().channel();
            out.println("READY native=" + OriginalDestination.nativeAvailable());
            while (System.in.read() >= 0) {
                // run until the test closes our stdin
            }
            v4.close().sync();
            v6.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }
}
