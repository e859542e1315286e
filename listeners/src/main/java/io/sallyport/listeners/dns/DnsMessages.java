package io.sallyport.listeners.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetAddress;

/**
 * Reads the parts of a DNS query the responder needs and writes its (small) answers, directly on the wire
 * format (RFC 1035). Queries are not decoded into objects: a query that is forwarded goes upstream byte
 * for byte, so nothing the client asked for (EDNS options, DNSSEC bits, record types we do not know) is
 * lost, and an upstream answer comes back byte for byte (only the ID is rewritten).
 */
final class DnsMessages {

    static final int HEADER_LENGTH = 12;
    static final int TYPE_A = 1;
    static final int TYPE_AAAA = 28;
    static final int TYPE_OPT = 41;
    static final int CLASS_IN = 1;
    static final int RCODE_NOERROR = 0;
    static final int RCODE_FORMERR = 1;
    static final int RCODE_SERVFAIL = 2;
    static final int RCODE_NOTIMP = 4;
    /** The UDP payload size we advertise in our own EDNS answers, and the most we ask upstreams for. */
    static final int EDNS_UDP_SIZE = 1232;
    static final int MAX_FORWARDED_UDP_SIZE = 4096;

    private static final int FLAG_QR = 0x8000;
    private static final int FLAG_AA = 0x0400;
    private static final int FLAG_RD = 0x0100;
    private static final int FLAG_RA = 0x0080;
    private static final int MAX_NAME_LENGTH = 255;

    private DnsMessages() {
    }

    /**
     * What the responder needs from a query. {@code name} is lower-cased, without the trailing dot;
     * {@code questionEnd} is the absolute index just after the question; {@code optClassIndex} is the
     * absolute index of the EDNS OPT record's class field (its UDP payload size), or -1 without EDNS.
     */
    record Query(int id, int opcode, boolean recursionDesired, int questionCount, String name, int type,
            int dnsClass, int start, int questionEnd, int optClassIndex, int ednsUdpSize) {

        boolean hasEdns() {
            return optClassIndex >= 0;
        }
    }

    /** The response's ID, or -1 when {@code buf} is too short to be a DNS message. */
    static int id(ByteBuf buf) {
        return buf.readableBytes() < HEADER_LENGTH ? -1 : buf.getUnsignedShort(buf.readerIndex());
    }

    /**
     * Parses the query in {@code buf} (not moving its indexes). Returns {@code null} when the bytes are not
     * a DNS query at all (too short, a response, a broken name): such packets are dropped. A well-formed
     * header with an unusual question count or opcode is returned, for a FORMERR or NOTIMP answer.
     */
    static Query parse(ByteBuf buf) {
        int start = buf.readerIndex();
        int end = buf.writerIndex();
        if (end - start < HEADER_LENGTH) {
            return null;
        }
        int id = buf.getUnsignedShort(start);
        int flags = buf.getUnsignedShort(start + 2);
        if ((flags & FLAG_QR) != 0) {
            return null;
        }
        int opcode = (flags >> 11) & 0xF;
        boolean rd = (flags & FLAG_RD) != 0;
        int qd = buf.getUnsignedShort(start + 4);
        int an = buf.getUnsignedShort(start + 6);
        int ns = buf.getUnsignedShort(start + 8);
        int ar = buf.getUnsignedShort(start + 10);
        if (qd != 1 || opcode != 0) {
            return new Query(id, opcode, rd, qd, null, 0, 0, start, start + HEADER_LENGTH, -1, 0);
        }
        int i = start + HEADER_LENGTH;
        StringBuilder name = new StringBuilder(64);
        int nameLength = 0;
        while (true) {
            if (i >= end) {
                return null;
            }
            int len = buf.getUnsignedByte(i++);
            if (len == 0) {
                break;
            }
            if (len > 63 || i + len > end) {
                return null; // compression pointers have no place in a query's question
            }
            nameLength += len + 1;
            if (nameLength > MAX_NAME_LENGTH) {
                return null;
            }
            if (name.length() > 0) {
                name.append('.');
            }
            for (int k = 0; k < len; k++) {
                char c = (char) buf.getUnsignedByte(i + k);
                if (c == '.') {
                    // A dot inside a label: keep it from ever matching one of our (letters, digits, '-') names.
                    c = 0;
                }
                name.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
            }
            i += len;
        }
        if (i + 4 > end) {
            return null;
        }
        int type = buf.getUnsignedShort(i);
        int dnsClass = buf.getUnsignedShort(i + 2);
        int questionEnd = i + 4;
        int optClass = findOpt(buf, questionEnd, end, an + ns, ar);
        int udpSize = optClass >= 0 ? Math.max(512, buf.getUnsignedShort(optClass)) : 512;
        return new Query(id, opcode, rd, qd, name.toString(), type, dnsClass, start, questionEnd, optClass, udpSize);
    }

    /** Skips {@code skip} records, then looks for an OPT record among the next {@code additional}. */
    private static int findOpt(ByteBuf buf, int from, int end, int skip, int additional) {
        int i = from;
        for (int r = 0; r < skip + additional; r++) {
            int nameStart = i;
            i = skipName(buf, i, end);
            if (i < 0 || i + 10 > end) {
                return -1;
            }
            int type = buf.getUnsignedShort(i);
            int rdLength = buf.getUnsignedShort(i + 8);
            if (r >= skip && type == TYPE_OPT && buf.getUnsignedByte(nameStart) == 0) {
                return i + 2;
            }
            i += 10 + rdLength;
        }
        return -1;
    }

    private static int skipName(ByteBuf buf, int i, int end) {
        while (i < end) {
            int len = buf.getUnsignedByte(i);
            if (len == 0) {
                return i + 1;
            }
            if ((len & 0xC0) == 0xC0) {
                return i + 2;
            }
            if (len > 63) {
                return -1;
            }
            i += 1 + len;
        }
        return -1;
    }

    /**
     * An authoritative answer for one of our hostnames: the VIP as the single answer when the query asks
     * for its family ({@code A} for IPv4, {@code AAAA} for IPv6), otherwise NOERROR with no answer.
     */
    static ByteBuf localAnswer(ByteBufAllocator alloc, ByteBuf query, Query q, InetAddress vip, int ttl) {
        byte[] addr = vip.getAddress();
        boolean matches = q.dnsClass() == CLASS_IN
                && (addr.length == 4 ? q.type() == TYPE_A : q.type() == TYPE_AAAA);
        ByteBuf out = alloc.buffer((q.questionEnd() - q.start()) + 16 + addr.length + 11);
        header(out, q, FLAG_AA, RCODE_NOERROR, 1, matches ? 1 : 0, q.hasEdns() ? 1 : 0);
        out.writeBytes(query, q.start() + HEADER_LENGTH, q.questionEnd() - q.start() - HEADER_LENGTH);
        if (matches) {
            out.writeShort(0xC000 | HEADER_LENGTH); // the name: a pointer to the question's name
            out.writeShort(q.type());
            out.writeShort(CLASS_IN);
            out.writeInt(ttl);
            out.writeShort(addr.length);
            out.writeBytes(addr);
        }
        if (q.hasEdns()) {
            opt(out);
        }
        return out;
    }

    /** An answer with no records and {@code rcode}: SERVFAIL, FORMERR, NOTIMP. */
    static ByteBuf errorAnswer(ByteBufAllocator alloc, ByteBuf query, Query q, int rcode) {
        boolean withQuestion = q.name() != null;
        int questionLength = withQuestion ? q.questionEnd() - q.start() - HEADER_LENGTH : 0;
        ByteBuf out = alloc.buffer(HEADER_LENGTH + questionLength + 11);
        header(out, q, 0, rcode, withQuestion ? 1 : 0, 0, q.hasEdns() ? 1 : 0);
        if (withQuestion) {
            out.writeBytes(query, q.start() + HEADER_LENGTH, questionLength);
        }
        if (q.hasEdns()) {
            opt(out);
        }
        return out;
    }

    private static void header(ByteBuf out, Query q, int extraFlags, int rcode, int qd, int an, int ar) {
        out.writeShort(q.id());
        out.writeShort(FLAG_QR | (q.opcode() << 11) | extraFlags | (q.recursionDesired() ? FLAG_RD : 0)
                | FLAG_RA | rcode);
        out.writeShort(qd);
        out.writeShort(an);
        out.writeShort(0);
        out.writeShort(ar);
    }

    private static void opt(ByteBuf out) {
        out.writeByte(0);
        out.writeShort(TYPE_OPT);
        out.writeShort(EDNS_UDP_SIZE);
        out.writeInt(0);
        out.writeShort(0);
    }

    /**
     * True when the response in {@code response} answers the question of {@code query}: same question
     * section, compared without regard to ASCII case.
     */
    static boolean sameQuestion(ByteBuf response, ByteBuf query, Query q) {
        int qLength = q.questionEnd() - q.start() - HEADER_LENGTH;
        int rStart = response.readerIndex();
        if (response.readableBytes() < HEADER_LENGTH + qLength || response.getUnsignedShort(rStart + 4) != 1) {
            return false;
        }
        for (int k = 0; k < qLength; k++) {
            int a = response.getUnsignedByte(rStart + HEADER_LENGTH + k);
            int b = query.getUnsignedByte(q.start() + HEADER_LENGTH + k);
            if (a != b && lower(a) != lower(b)) {
                return false;
            }
        }
        return true;
    }

    private static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }

    /** The RCODE of a response. */
    static int rcode(ByteBuf response) {
        return response.getUnsignedShort(response.readerIndex() + 2) & 0xF;
    }

    /** True when the response has the TC (truncated) flag. */
    static boolean truncated(ByteBuf response) {
        return (response.getUnsignedShort(response.readerIndex() + 2) & 0x0200) != 0;
    }
}
