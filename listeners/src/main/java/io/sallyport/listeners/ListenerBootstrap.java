package io.sallyport.listeners;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollInterestPin;
import io.netty.util.NetUtil;
import io.sallyport.core.transport.Transport;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * The one way Sallyport sets up a listening socket, shared by the outbound, VIP, transparent and
 * zone-egress listeners: accepted connections start with auto-read off (the proxy reads only when the
 * other side can take the bytes), half-closure allowed (a client's FIN is passed on, not turned into a
 * close), no Nagle, and their epoll interest pinned ({@link EpollInterestPin}) so a half-closed
 * connection never loses queued writes.
 */
public final class ListenerBootstrap {

    private ListenerBootstrap() {
    }

    /** A server bootstrap on {@code group} that hands every accepted channel to {@code onAccept}. */
    public static ServerBootstrap create(EventLoopGroup group, Transport transport, Consumer<Channel> onAccept) {
        return new ServerBootstrap()
                .group(group)
                .channelFactory(transport.serverSocketChannelFactory())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        EpollInterestPin.pin(ch);
                        onAccept.accept(ch);
                    }
                });
    }

    /**
     * Binds {@code b} to {@code address}, waiting for the result (call it off the event loops, e.g. on
     * the reload thread).
     *
     * @param what names the listener in the error, e.g. {@code "the zone egress listener"}
     * @throws BindException naming {@code what}, the address and the reason
     */
    public static Channel bind(ServerBootstrap b, InetSocketAddress address, String what) throws IOException {
        ChannelFuture f = b.bind(address).awaitUninterruptibly();
        if (!f.isSuccess()) {
            IOException e = new BindException("cannot bind " + what + " on "
                    + NetUtil.toSocketAddressString(address) + ": " + f.cause().getMessage());
            e.initCause(f.cause());
            throw e;
        }
        return f.channel();
    }
}
