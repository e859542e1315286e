package io.sallyport.listeners.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.handler.codec.dns.TcpDnsQueryDecoder;
import io.netty.handler.codec.dns.TcpDnsResponseEncoder;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny authoritative DNS server on loopback (UDP and TCP on the same port) standing in for the system
 * resolver: {@code example.test A} answers {@link #ANSWER}, every other name NXDOMAIN.
 */
final class StandInDnsServer implements AutoCloseable {

    static final byte[] ANSWER = {127, 0, 0, 99};
    static final String NAME = "example.test.";

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel udp;
    private final Channel tcp;
    final AtomicInteger udpQueries = new AtomicInteger();
    final AtomicInteger tcpQueries = new AtomicInteger();

    StandInDnsServer() throws InterruptedException {
        // UDP and TCP must share one port: take a free UDP port, then try TCP on it; another process may
        // hold that TCP port, so retry a bounded number of times.
        Channel u = null;
        Channel t = null;
        for (int attempt = 0; t == null; attempt++) {
            u = bindUdp();
            try {
                t = bindTcp((InetSocketAddress) u.localAddress());
            } catch (Exception e) {
                u.close().sync();
                if (!(e instanceof java.net.BindException) || attempt == 20) {
                    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                    throw new IllegalStateException("cannot bind the stand-in DNS server", e);
                }
            }
        }
        udp = u;
        tcp = t;
    }

    private Channel bindUdp() throws InterruptedException {
        return new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(),
                                new SimpleChannelInboundHandler<DatagramDnsQuery>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery q) {
                                        udpQueries.incrementAndGet();
                                        DatagramDnsResponse r = new DatagramDnsResponse(q.recipient(), q.sender(), q.id());
                                        ctx.writeAndFlush(fill(r, q));
                                    }
                                });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    private Channel bindTcp(InetSocketAddress address) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new TcpDnsQueryDecoder(), new TcpDnsResponseEncoder(),
                                new SimpleChannelInboundHandler<DnsQuery>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, DnsQuery q) {
                                        tcpQueries.incrementAndGet();
                                        ctx.writeAndFlush(fill(new DefaultDnsResponse(q.id()), q));
                                    }
                                });
                    }
                })
                .bind(address).sync().channel();
    }

    private static DnsResponse fill(DnsResponse r, DnsQuery q) {
        DnsQuestion question = q.recordAt(DnsSection.QUESTION);
        r.setAuthoritativeAnswer(true);
        r.setRecursionAvailable(true);
        r.setRecursionDesired(q.isRecursionDesired());
        r.addRecord(DnsSection.QUESTION, question);
        if (question.name().equalsIgnoreCase(NAME) && question.type() == DnsRecordType.A) {
            r.addRecord(DnsSection.ANSWER,
                    new DefaultDnsRawRecord(question.name(), DnsRecordType.A, 60, Unpooled.wrappedBuffer(ANSWER)));
        } else if (!question.name().equalsIgnoreCase(NAME)) {
            r.setCode(DnsResponseCode.NXDOMAIN);
        }
        return r;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) udp.localAddress();
    }

    @Override
    public void close() {
        udp.close();
        tcp.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
