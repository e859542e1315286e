package io.sallyport.listeners.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class DnsMessagesTest {

    private static DnsMessages.Query parse(byte[] bytes) {
        ByteBuf b = Unpooled.wrappedBuffer(bytes);
        try {
            return DnsMessages.parse(b);
        } finally {
            b.release();
        }
    }

    @Test
    void readsIdNameTypeAndEdns() {
        DnsMessages.Query q = parse(RawDns.query(0xBEEF, "Mes-TCP.svc.meshext.local", 28, true));
        assertThat(q.id()).isEqualTo(0xBEEF);
        assertThat(q.name()).isEqualTo("mes-tcp.svc.meshext.local");
        assertThat(q.type()).isEqualTo(28);
        assertThat(q.dnsClass()).isEqualTo(1);
        assertThat(q.recursionDesired()).isTrue();
        assertThat(q.hasEdns()).isTrue();
        assertThat(q.ednsUdpSize()).isEqualTo(4096);
        assertThat(q.questionEnd()).isEqualTo(12 + 27 + 4);
        DnsMessages.Query plain = parse(RawDns.query(1, "a.b", 1, false));
        assertThat(plain.hasEdns()).isFalse();
        assertThat(plain.ednsUdpSize()).isEqualTo(512);
    }

    @Test
    void rootNameAndDotsInsideLabels() {
        assertThat(parse(RawDns.query(1, ".", 2, false)).name()).isEmpty();
        byte[] dotted = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'a', '.', 'b', 0, 0, 1, 0, 1};
        DnsMessages.Query q = parse(dotted);
        assertThat(q.name()).isNotEqualTo("a.b").hasSize(3);
    }

    @Test
    void rejectsWhatIsNotAQuery() {
        assertThat(parse(new byte[11])).isNull();
        byte[] response = RawDns.query(1, "a.b", 1, false);
        response[2] |= (byte) 0x80;
        assertThat(parse(response)).isNull();
        byte[] truncated = RawDns.query(1, "abc.def", 1, false);
        assertThat(parse(java.util.Arrays.copyOf(truncated, truncated.length - 3))).isNull();
        byte[] pointer = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xC0, 12, 0, 1, 0, 1};
        assertThat(parse(pointer)).isNull();
        StringBuilder longName = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            longName.append("a".repeat(60)).append('.');
        }
        assertThat(parse(RawDns.query(1, longName.toString(), 1, false))).isNull();
    }

    @Test
    void keepsWellFormedHeadersWithOddCountsOrOpcodesForAnError() {
        DnsMessages.Query none = parse(new byte[] {0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        assertThat(none.questionCount()).isZero();
        assertThat(none.name()).isNull();
        byte[] update = RawDns.query(3, "a.b", 1, false);
        update[2] = (byte) (5 << 3);
        assertThat(parse(update).opcode()).isEqualTo(5);
    }

    @Test
    void localAnswerPointsAtTheQuestionAndCarriesTheVip() throws Exception {
        ByteBuf query = Unpooled.wrappedBuffer(RawDns.query(77, "x.ext", 1, true));
        DnsMessages.Query q = DnsMessages.parse(query);
        ByteBuf a = DnsMessages.localAnswer(ByteBufAllocator.DEFAULT, query, q,
                InetAddress.getByName("242.1.2.3"), 30);
        try {
            assertThat(a.getUnsignedShort(0)).isEqualTo(77);
            assertThat(a.getUnsignedShort(2)).isEqualTo(0x8000 | 0x0400 | 0x0100 | 0x0080);
            assertThat(a.getUnsignedShort(4)).isEqualTo(1);
            assertThat(a.getUnsignedShort(6)).isEqualTo(1);
            assertThat(a.getUnsignedShort(10)).isEqualTo(1); // our OPT
            int answer = q.questionEnd();
            assertThat(a.getUnsignedShort(answer)).isEqualTo(0xC00C);
            assertThat(a.getInt(answer + 6)).isEqualTo(30);
            assertThat(a.getUnsignedShort(answer + 10)).isEqualTo(4);
            assertThat(a.getUnsignedByte(answer + 12)).isEqualTo((short) 242);
            assertThat(DnsMessages.sameQuestion(a, query, q)).isTrue();
        } finally {
            a.release();
            query.release();
        }
    }

    @Test
    void ipv6VipsAnswerAaaaAndLeaveANoData() throws Exception {
        InetAddress v6 = InetAddress.getByName("fd00:5a11::7");
        for (int type : new int[] {28, 1}) {
            ByteBuf query = Unpooled.wrappedBuffer(RawDns.query(5, "x.ext", type, false));
            ByteBuf a = DnsMessages.localAnswer(ByteBufAllocator.DEFAULT, query, DnsMessages.parse(query), v6, 30);
            try {
                assertThat(a.getUnsignedShort(6)).isEqualTo(type == 28 ? 1 : 0);
                assertThat(a.getUnsignedShort(2) & 0xF).isZero();
                if (type == 28) {
                    byte[] rdata = new byte[16];
                    a.getBytes(a.writerIndex() - 16, rdata);
                    assertThat(rdata).isEqualTo(v6.getAddress());
                }
            } finally {
                a.release();
                query.release();
            }
        }
    }

    @Test
    void sameQuestionIgnoresCaseButNotNames() {
        ByteBuf q1 = Unpooled.wrappedBuffer(RawDns.query(1, "Example.Test", 1, false));
        ByteBuf q2 = Unpooled.wrappedBuffer(RawDns.query(1, "example.test", 1, false));
        ByteBuf q3 = Unpooled.wrappedBuffer(RawDns.query(1, "example.tesu", 1, false));
        try {
            DnsMessages.Query q = DnsMessages.parse(q1);
            assertThat(DnsMessages.sameQuestion(q2, q1, q)).isTrue();
            assertThat(DnsMessages.sameQuestion(q3, q1, q)).isFalse();
        } finally {
            q1.release();
            q2.release();
            q3.release();
        }
    }
}
