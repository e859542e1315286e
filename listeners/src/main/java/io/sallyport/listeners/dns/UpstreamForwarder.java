package io.sallyport.listeners.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Relays queries for names that are not ours to the upstream resolvers and their answers back, byte for
 * byte: UDP queries go upstream over UDP under a fresh random ID (the answer must come from the upstream
 * asked, with that ID and the same question), TCP queries over a short-lived TCP connection. Upstreams are
 * tried in order, each for its share of the forward timeout; when none answers in time, or too many
 * queries are in flight, the client gets SERVFAIL. A truncated UDP answer is relayed as is, so the client
 * retries over TCP, which is forwarded over TCP.
 *
 * <p>Everything runs on one event loop: no locks. Every buffer a forward holds is released when it ends.
 */
final class UpstreamForwarder {

    private static final Duration MIN_ATTEMPT = Duration.ofMillis(400);

    private final EventLoop loop;
    private final DnsTransport transport;
    private final List<InetSocketAddress> upstreams;
    private final long timeoutNanos;
    private final long attemptNanos;
    private final int maxInFlight;
    private final DnsCounters counters;
    private final IntObjectMap<Forward> udpInFlight = new IntObjectHashMap<>();
    private final List<Forward> tcpInFlight = new ArrayList<>();
    private Channel udp;

    UpstreamForwarder(EventLoop loop, DnsTransport transport, List<InetSocketAddress> upstreams, Duration timeout,
            int maxInFlight, DnsCounters counters) {
        this.loop = loop;
        this.transport = transport;
        this.upstreams = List.copyOf(upstreams);
        this.timeoutNanos = timeout.toNanos();
        long share = upstreams.isEmpty() ? timeoutNanos : timeoutNanos / upstreams.size();
        this.attemptNanos = Math.min(timeoutNanos, Math.max(share, MIN_ATTEMPT.toNanos()));
        this.maxInFlight = maxInFlight;
        this.counters = counters;
    }

    /** Binds the UDP socket upstream queries leave from (an ephemeral port on all addresses). */
    ChannelFuture start() {
        Bootstrap b = new Bootstrap().group(loop).channel(transport.datagramChannel())
                .option(ChannelOption.RCVBUF_ALLOCATOR,
                        new FixedRecvByteBufAllocator(DnsMessages.MAX_FORWARDED_UDP_SIZE + 512))
                .handler(new UdpAnswerHandler());
        ChannelFuture f = b.bind(0);
        udp = f.channel();
        return f;
    }

    List<InetSocketAddress> upstreams() {
        return upstreams;
    }

    /** Forwards {@code query} (not retained by the caller's contract; this copies what it keeps). */
    void forward(ByteBufAllocator alloc, ByteBuf query, DnsMessages.Query q, boolean tcp, Reply reply) {
        int len = query.writerIndex() - q.start();
        ByteBuf copy = alloc.buffer(len).writeBytes(query, q.start(), len);
        DnsMessages.Query local = relocate(q);
        if (local.optClassIndex() >= 0 && local.ednsUdpSize() > DnsMessages.MAX_FORWARDED_UDP_SIZE) {
            copy.setShort(local.optClassIndex(), DnsMessages.MAX_FORWARDED_UDP_SIZE);
        }
        Forward f = new Forward(copy, local, tcp, reply, System.nanoTime() + timeoutNanos);
        if (upstreams.isEmpty() || udpInFlight.size() + tcpInFlight.size() >= maxInFlight || udp == null) {
            fail(f);
            return;
        }
        next(f);
    }

    /** The query's offsets in a copy that starts at index 0. */
    private static DnsMessages.Query relocate(DnsMessages.Query q) {
        int s = q.start();
        return new DnsMessages.Query(q.id(), q.opcode(), q.recursionDesired(), q.questionCount(), q.name(),
                q.type(), q.dnsClass(), 0, q.questionEnd() - s, q.optClassIndex() < 0 ? -1 : q.optClassIndex() - s,
                q.ednsUdpSize());
    }

    private void next(Forward f) {
        f.attempt++;
        long remaining = f.deadlineNanos - System.nanoTime();
        if (f.attempt >= upstreams.size() || remaining <= 0) {
            fail(f);
            return;
        }
        long wait = Math.min(attemptNanos, remaining);
        InetSocketAddress upstream = upstreams.get(f.attempt);
        if (f.tcp) {
            sendTcp(f, upstream, wait);
        } else {
            sendUdp(f, upstream, wait);
        }
    }

    private void sendUdp(Forward f, InetSocketAddress upstream, long wait) {
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(0x10000);
        } while (udpInFlight.containsKey(id));
        f.upstreamId = id;
        f.upstream = upstream;
        udpInFlight.put(id, f);
        ByteBuf packet = f.query.copy(); // each attempt its own bytes: the ID differs
        packet.setShort(0, id);
        int attempt = f.attempt;
        f.timer = loop.schedule(() -> {
            if (f.attempt == attempt && udpInFlight.remove(f.upstreamId) == f) {
                next(f);
            }
        }, wait, TimeUnit.NANOSECONDS);
        udp.writeAndFlush(new DatagramPacket(packet, upstream)).addListener(w -> {
            if (!w.isSuccess() && f.attempt == attempt && udpInFlight.remove(f.upstreamId) == f) {
                f.timer.cancel(false);
                next(f);
            }
        });
    }

    private void sendTcp(Forward f, InetSocketAddress upstream, long wait) {
        int attempt = f.attempt;
        f.upstream = upstream;
        tcpInFlight.add(f);
        Bootstrap b = new Bootstrap().group(loop).channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(0xFFFF + 2, 0, 2, 0, 2),
                                new TcpAnswerHandler(f, attempt));
                    }
                });
        ChannelFuture connect = b.connect(upstream);
        f.tcpChannel = connect.channel();
        f.timer = loop.schedule(() -> {
            if (f.attempt == attempt && !f.done) {
                f.tcpChannel.close();
                tcpInFlight.remove(f);
                next(f);
            }
        }, wait, TimeUnit.NANOSECONDS);
        connect.addListener((ChannelFuture c) -> {
            if (f.attempt != attempt || f.done) {
                c.channel().close();
                return;
            }
            if (!c.isSuccess()) {
                tcpFailed(f, attempt);
                return;
            }
            ByteBuf prefix = c.channel().alloc().buffer(2).writeShort(f.query.readableBytes());
            c.channel().write(prefix);
            c.channel().writeAndFlush(f.query.retainedDuplicate());
        });
    }

    private void tcpFailed(Forward f, int attempt) {
        if (f.attempt == attempt && !f.done && tcpInFlight.remove(f)) {
            f.timer.cancel(false);
            if (f.tcpChannel != null) {
                f.tcpChannel.close();
            }
            next(f);
        }
    }

    /** Relays {@code answer} (owned by the caller) to the client under the client's ID. */
    private void succeed(Forward f, ByteBuf answer) {
        f.done = true;
        f.timer.cancel(false);
        answer.setShort(answer.readerIndex(), f.q.id());
        counters.forwarded.increment();
        f.reply.send(answer.retain());
        f.query.release();
    }

    private void fail(Forward f) {
        f.done = true;
        counters.servfail.increment();
        f.reply.send(DnsMessages.errorAnswer(udpAlloc(), f.query, f.q, DnsMessages.RCODE_SERVFAIL));
        f.query.release();
    }

    private ByteBufAllocator udpAlloc() {
        return udp != null ? udp.alloc() : ByteBufAllocator.DEFAULT;
    }

    /** Closes the upstream socket and abandons every forward in flight (their clients get no answer). */
    void close() {
        if (loop.inEventLoop()) {
            close0();
        } else {
            loop.execute(this::close0);
        }
    }

    private void close0() {
        for (Forward f : udpInFlight.values()) {
            abandon(f);
        }
        udpInFlight.clear();
        for (Forward f : new ArrayList<>(tcpInFlight)) {
            abandon(f);
            if (f.tcpChannel != null) {
                f.tcpChannel.close();
            }
        }
        tcpInFlight.clear();
        if (udp != null) {
            udp.close();
        }
    }

    private static void abandon(Forward f) {
        if (!f.done) {
            f.done = true;
            if (f.timer != null) {
                f.timer.cancel(false);
            }
            f.query.release();
        }
    }

    /** One client query on its way through the upstreams. Touched only on the event loop. */
    private static final class Forward {
        final ByteBuf query;
        final DnsMessages.Query q;
        final boolean tcp;
        final Reply reply;
        final long deadlineNanos;
        int attempt = -1;
        int upstreamId;
        InetSocketAddress upstream;
        ScheduledFuture<?> timer;
        Channel tcpChannel;
        boolean done;

        Forward(ByteBuf query, DnsMessages.Query q, boolean tcp, Reply reply, long deadlineNanos) {
            this.query = query;
            this.q = q;
            this.tcp = tcp;
            this.reply = reply;
            this.deadlineNanos = deadlineNanos;
        }
    }

    /** Answers arriving on the upstream UDP socket. */
    private final class UdpAnswerHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf answer = packet.content();
            int id = DnsMessages.id(answer);
            Forward f = id < 0 ? null : udpInFlight.get(id);
            if (f == null || !packet.sender().equals(f.upstream) || !DnsMessages.sameQuestion(answer, f.query, f.q)) {
                counters.upstreamUnmatched.increment();
                return;
            }
            udpInFlight.remove(id);
            succeed(f, answer);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // An ICMP error or a read failure on the shared socket: the timers retry; keep the socket open.
        }
    }

    /** The one answer on a TCP connection to an upstream. */
    private final class TcpAnswerHandler extends SimpleChannelInboundHandler<ByteBuf> {
        private final Forward f;
        private final int attempt;

        TcpAnswerHandler(Forward f, int attempt) {
            this.f = f;
            this.attempt = attempt;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf answer) {
            if (f.attempt != attempt || f.done) {
                ctx.close();
                return;
            }
            if (DnsMessages.id(answer) != f.q.id() || !DnsMessages.sameQuestion(answer, f.query, f.q)) {
                counters.upstreamUnmatched.increment();
                tcpFailed(f, attempt);
                return;
            }
            tcpInFlight.remove(f);
            succeed(f, answer);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            tcpFailed(f, attempt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            tcpFailed(f, attempt);
        }
    }
}
