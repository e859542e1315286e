package io.sallyport.listeners.dns;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** The channel classes of one Netty transport: epoll on Linux when available, NIO otherwise. */
record DnsTransport(IoHandlerFactory ioHandlerFactory, Class<? extends DatagramChannel> datagramChannel,
        Class<? extends ServerChannel> serverChannel, Class<? extends SocketChannel> socketChannel) {

    static DnsTransport best() {
        if (Epoll.isAvailable()) {
            return new DnsTransport(EpollIoHandler.newFactory(), EpollDatagramChannel.class,
                    EpollServerSocketChannel.class, EpollSocketChannel.class);
        }
        return nio();
    }

    static DnsTransport nio() {
        return new DnsTransport(NioIoHandler.newFactory(), NioDatagramChannel.class,
                NioServerSocketChannel.class, NioSocketChannel.class);
    }

    boolean isEpoll() {
        return datagramChannel == EpollDatagramChannel.class;
    }
}
