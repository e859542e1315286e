package io.sallyport.listeners.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.sallyport.core.hostname.HostnameTable;
import java.net.InetAddress;
import java.util.function.Supplier;

/**
 * Decides what one query gets: an authoritative answer when it names one of our hostnames, FORMERR or
 * NOTIMP for queries we do not serve, a forward upstream for everything else. Shared by the UDP and TCP
 * sides; runs on the responder's event loop.
 */
final class DnsQueryProcessor {

    /** TTL of our answers: short, so a reload that moves a VIP is seen quickly. */
    static final int TTL_SECONDS = 30;

    private final Supplier<HostnameTable> table;
    private final UpstreamForwarder forwarder;
    private final DnsCounters counters;

    DnsQueryProcessor(Supplier<HostnameTable> table, UpstreamForwarder forwarder, DnsCounters counters) {
        this.table = table;
        this.forwarder = forwarder;
        this.counters = counters;
    }

    /**
     * Answers or forwards {@code query} (still owned by the caller). Returns {@code false}, having sent
     * nothing, when the bytes are not a DNS query.
     */
    boolean process(ByteBufAllocator alloc, ByteBuf query, boolean tcp, Reply reply) {
        DnsMessages.Query q = DnsMessages.parse(query);
        if (q == null) {
            counters.malformed.increment();
            return false;
        }
        if (q.opcode() != 0) {
            counters.notimp.increment();
            reply.send(DnsMessages.errorAnswer(alloc, query, q, DnsMessages.RCODE_NOTIMP));
            return true;
        }
        if (q.questionCount() != 1) {
            counters.formerr.increment();
            reply.send(DnsMessages.errorAnswer(alloc, query, q, DnsMessages.RCODE_FORMERR));
            return true;
        }
        InetAddress vip = table.get().lookup(q.name());
        if (vip != null) {
            ByteBuf answer = DnsMessages.localAnswer(alloc, query, q, vip, TTL_SECONDS);
            (answer.getUnsignedShort(6) == 1 ? counters.local : counters.localNoData).increment();
            reply.send(answer);
            return true;
        }
        forwarder.forward(alloc, query, q, tcp, reply);
        return true;
    }
}
