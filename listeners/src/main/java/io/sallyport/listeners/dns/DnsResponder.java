package io.sallyport.listeners.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sallyport.core.hostname.HostnameTable;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.runtime.DataPlaneComponent;
import io.sallyport.core.runtime.Snapshot;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The DNS server applications on this host query (via {@code --dns-address}, default
 * {@code 127.0.0.1:15053}) to find the VIPs of MeshExternalServices by their generated hostnames.
 *
 * <h2>Answers</h2>
 * <ul>
 *   <li>A query for a hostname of the current {@link HostnameTable} gets an authoritative (AA) answer with
 *       the service's VIP, TTL {@value DnsQueryProcessor#TTL_SECONDS} s, when it asks for the VIP's family
 *       ({@code A} for an IPv4 VIP); any other type for that name gets NOERROR with no answer.</li>
 *   <li>Every other query is relayed to the upstream resolvers (by default the {@code nameserver}s of
 *       {@code /etc/resolv.conf}) and their answer relayed back; SERVFAIL when none answers within the
 *       forward timeout (2 s by default).</li>
 *   <li>Packets that are not DNS queries are counted and dropped; a TCP connection sending one is closed.
 *       Other opcodes get NOTIMP, a question count other than one FORMERR.</li>
 * </ul>
 * UDP and TCP (RFC 7766 length-prefixed) are served on the same address and port, on one event loop
 * (epoll when available). Counters: {@code sallyport_dns_queries_total{result=...}} (see
 * {@link DnsCounters}).
 *
 * <h2>Life cycle</h2>
 * The first {@link #apply(Snapshot)} or {@link #apply(HostnameTable)} binds the sockets; later calls only
 * swap the table, atomically (queries in flight finish with the table they started with). Until the
 * {@link io.sallyport.core.runtime.Snapshot} carries a compiled {@link HostnameTable}, {@link #apply(Snapshot)}
 * derives one with the {@code tables} function given to the constructor (by default compiling the
 * snapshot's config with the VIP CIDR: see {@link #DnsResponder(Options, Stats, String)}).
 */
public final class DnsResponder implements DataPlaneComponent {

    public static final InetSocketAddress DEFAULT_ADDRESS = new InetSocketAddress("127.0.0.1", 15053);
    public static final Duration DEFAULT_FORWARD_TIMEOUT = Duration.ofSeconds(2);
    private static final int MAX_IN_FLIGHT = 4096;
    private static final int TCP_IDLE_SECONDS = 10;

    /**
     * Where to listen ({@code port} 0 picks a free port, the same for UDP and TCP), which resolvers to
     * forward to, and how long to wait for them in all.
     */
    public record Options(InetSocketAddress address, List<InetSocketAddress> upstreams, Duration forwardTimeout) {
        public Options {
            Objects.requireNonNull(address, "address");
            upstreams = List.copyOf(upstreams);
            Objects.requireNonNull(forwardTimeout, "forwardTimeout");
            if (forwardTimeout.isNegative() || forwardTimeout.isZero()) {
                throw new IllegalArgumentException("forwardTimeout must be positive: " + forwardTimeout);
            }
        }

        /** {@code address}, forwarding to the system resolvers of {@code /etc/resolv.conf} with a 2 s timeout. */
        public static Options system(InetSocketAddress address) {
            return new Options(address, ResolvConf.nameservers(ResolvConf.SYSTEM), DEFAULT_FORWARD_TIMEOUT);
        }
    }

    private final Options options;
    private final DnsCounters counters;
    private final Function<Snapshot, HostnameTable> tables;
    private final DnsTransport transport;
    private volatile HostnameTable table = HostnameTable.EMPTY;
    private EventLoopGroup group;
    private EventLoop loop;
    private UpstreamForwarder forwarder;
    private Channel udpChannel;
    private Channel tcpChannel;
    private ChannelGroup tcpClients;

    /** A responder that gets each snapshot's table from {@code tables}. */
    public DnsResponder(Options options, Stats stats, Function<Snapshot, HostnameTable> tables) {
        this(options, stats, tables, DnsTransport.best());
    }

    /** A responder that compiles each snapshot's config into a table with VIPs from {@code vipCidr}. */
    public DnsResponder(Options options, Stats stats, String vipCidr) {
        this(options, stats, s -> HostnameTable.compile(s.config(), vipCidr).table());
    }

    DnsResponder(Options options, Stats stats, Function<Snapshot, HostnameTable> tables, DnsTransport transport) {
        this.options = Objects.requireNonNull(options, "options");
        this.counters = new DnsCounters(stats);
        this.tables = Objects.requireNonNull(tables, "tables");
        this.transport = transport;
    }

    @Override
    public void apply(Snapshot next) throws Exception {
        apply(tables.apply(next));
    }

    /** Serves {@code next} from now on, binding the sockets first if this is the first table. */
    public synchronized void apply(HostnameTable next) throws Exception {
        Objects.requireNonNull(next, "next");
        if (udpChannel == null) {
            start();
        }
        table = next;
    }

    /** The table being served. */
    public HostnameTable table() {
        return table;
    }

    /** The bound UDP address (after the first {@code apply}). */
    public synchronized InetSocketAddress udpAddress() {
        return udpChannel == null ? null : (InetSocketAddress) udpChannel.localAddress();
    }

    /** The bound TCP address (after the first {@code apply}). */
    public synchronized InetSocketAddress tcpAddress() {
        return tcpChannel == null ? null : (InetSocketAddress) tcpChannel.localAddress();
    }

    private void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("sallyport-dns", true),
                transport.ioHandlerFactory());
        loop = group.next();
        try {
            forwarder = new UpstreamForwarder(loop, transport, withoutSelf(options.upstreams(), options.address()),
                    options.forwardTimeout(), MAX_IN_FLIGHT, counters);
            forwarder.start().sync();
            DnsQueryProcessor processor = new DnsQueryProcessor(() -> table, forwarder, counters);
            tcpClients = new DefaultChannelGroup(loop);
            Channel udp = bindUdp(options.address(), processor);
            Channel tcp = null;
            for (int tries = 0; tcp == null; tries++) {
                try {
                    tcp = bindTcp((InetSocketAddress) udp.localAddress(), processor);
                } catch (Exception e) {
                    udp.close().sync();
                    // With port 0 the UDP port may be taken for TCP: pick another pair.
                    if (options.address().getPort() != 0 || tries >= 10) {
                        throw e;
                    }
                    udp = bindUdp(options.address(), processor);
                }
            }
            udpChannel = udp;
            tcpChannel = tcp;
        } catch (Exception e) {
            if (forwarder != null) {
                forwarder.close();
            }
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            group = null;
            throw e;
        }
    }

    /** Drops upstreams that are this responder itself: a resolv.conf naming it would loop forever. */
    static List<InetSocketAddress> withoutSelf(List<InetSocketAddress> upstreams, InetSocketAddress self) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (InetSocketAddress u : upstreams) {
            boolean same = u.getPort() == self.getPort()
                    && (self.getAddress().isAnyLocalAddress() || self.getAddress().equals(u.getAddress()));
            if (!same) {
                out.add(u);
            }
        }
        return out;
    }

    private Channel bindUdp(InetSocketAddress address, DnsQueryProcessor processor) throws InterruptedException {
        return new Bootstrap().group(loop).channel(transport.datagramChannel())
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(4096))
                .handler(new UdpQueryHandler(processor))
                .bind(address).sync().channel();
    }

    private Channel bindTcp(InetSocketAddress address, DnsQueryProcessor processor) throws InterruptedException {
        return new ServerBootstrap().group(loop).channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        tcpClients.add(ch);
                        ch.pipeline().addLast(
                                new IdleStateHandler(0, 0, TCP_IDLE_SECONDS),
                                new LengthFieldBasedFrameDecoder(0xFFFF + 2, 0, 2, 0, 2),
                                new TcpQueryHandler(processor));
                    }
                })
                .bind(address).sync().channel();
    }

    @Override
    public synchronized CompletableFuture<Void> drain(Duration timeout) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (udpChannel == null) {
            done.complete(null);
            return done;
        }
        // DNS exchanges are short: stop listening, give open TCP connections the timeout, then close.
        tcpChannel.close();
        udpChannel.close();
        if (tcpClients.isEmpty()) {
            done.complete(null);
        } else {
            ChannelGroup clients = tcpClients;
            loop.schedule(() -> clients.close(), timeout.toMillis(), TimeUnit.MILLISECONDS);
            clients.newCloseFuture().addListener(f -> done.complete(null));
        }
        return done;
    }

    @Override
    public synchronized void close() {
        if (group == null) {
            return;
        }
        if (tcpChannel != null) {
            tcpChannel.close();
            udpChannel.close();
            tcpClients.close();
            forwarder.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        group = null;
        udpChannel = null;
        tcpChannel = null;
    }

    /** Queries arriving over UDP; answers go back to the sender from the same socket. */
    private final class UdpQueryHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final DnsQueryProcessor processor;

        UdpQueryHandler(DnsQueryProcessor processor) {
            this.processor = processor;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            Channel ch = ctx.channel();
            InetSocketAddress sender = packet.sender();
            processor.process(ctx.alloc(), packet.content(), false,
                    response -> ch.writeAndFlush(new DatagramPacket(response, sender), ch.voidPromise()));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A read or write error on the shared socket (e.g. an ICMP error for an earlier answer): it
            // concerns one exchange only, so keep serving.
        }
    }

    /** Length-prefixed queries on one TCP connection; answers may leave in any order (RFC 7766). */
    private final class TcpQueryHandler extends SimpleChannelInboundHandler<ByteBuf> {
        private final DnsQueryProcessor processor;

        TcpQueryHandler(DnsQueryProcessor processor) {
            this.processor = processor;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            Channel ch = ctx.channel();
            boolean ok = processor.process(ctx.alloc(), frame, true, response -> {
                if (!ch.isActive()) {
                    response.release();
                    return;
                }
                ch.write(ch.alloc().buffer(2).writeShort(response.readableBytes()), ch.voidPromise());
                ch.writeAndFlush(response, ch.voidPromise());
            });
            if (!ok) {
                ctx.close();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
