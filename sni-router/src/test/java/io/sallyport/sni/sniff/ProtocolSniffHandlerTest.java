package io.sallyport.sni.sniff;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProtocolSniffHandlerTest {

    @Test
    void tlsHelloInSeveralSegmentsIsDecidedAndPassedOnUnchanged() throws Exception {
        byte[] hello = ClientHellos.jdk("seg.example.com", "h2", "http/1.1");
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = new EmbeddedChannel(new ProtocolSniffHandler(), recorder);
        channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(hello, 0, 3)));
        channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(hello, 3, 100)));
        assertThat(recorder.events).isEmpty();
        assertThat(channel.pipeline().get(ProtocolSniffHandler.class)).isNotNull();
        channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(hello, 100, hello.length)));
        assertThat(recorder.events).containsExactly(
                new SniffResult(SniffedProtocol.TLS, "seg.example.com", List.of("h2", "http/1.1"), null, false));
        assertThat(recorder.received()).isEqualTo(hello);
        assertThat(recorder.eventBeforeData).isTrue();
        assertThat(channel.pipeline().get(ProtocolSniffHandler.class)).isNull();
        // Later bytes flow straight to the next handler.
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {23, 3, 3}));
        assertThat(recorder.received()).hasSize(hello.length + 3);
        assertThat(channel.finishAndReleaseAll()).isFalse();
        recorder.release();
    }

    @Test
    void httpRequestGivesItsHost() {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = new EmbeddedChannel(new ProtocolSniffHandler(), recorder);
        byte[] request = "GET / HTTP/1.1\r\nHost: web.example.com:8080\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        channel.writeInbound(Unpooled.wrappedBuffer(request, 0, 10));
        assertThat(recorder.events).isEmpty();
        channel.writeInbound(Unpooled.wrappedBuffer(request, 10, request.length - 10));
        assertThat(recorder.events).containsExactly(
                new SniffResult(SniffedProtocol.HTTP1, null, List.of(), "web.example.com", false));
        assertThat(recorder.events.get(0).routingName()).isEqualTo("web.example.com");
        assertThat(recorder.received()).isEqualTo(request);
        channel.finishAndReleaseAll();
        recorder.release();
    }

    @Test
    void http2PrefaceWithoutRequestDecidesOnTimeoutWithUnknownAuthority() {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(new ProtocolSniffHandler(), recorder);
        channel.writeInbound(Unpooled.wrappedBuffer(HttpSniffer.PREFACE));
        assertThat(recorder.events).isEmpty();
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(recorder.events).containsExactly(new SniffResult(SniffedProtocol.HTTP2, null, List.of(), null, true));
        assertThat(recorder.received()).isEqualTo(HttpSniffer.PREFACE);
        assertThat(recorder.readCompletes).isEqualTo(1);
        channel.finishAndReleaseAll();
        recorder.release();
    }

    @Test
    void serverSpeaksFirstBecomesRawOnTimeoutWithNoBytes() {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(new ProtocolSniffHandler(1024, Duration.ofMillis(250)), recorder);
        channel.advanceTimeBy(249, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(recorder.events).isEmpty();
        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(recorder.events).containsExactly(SniffResult.raw(true));
        assertThat(recorder.received()).isEmpty();
        assertThat(channel.pipeline().get(ProtocolSniffHandler.class)).isNull();
        channel.finishAndReleaseAll();
    }

    @Test
    void otherProtocolIsRawAtOnce() {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = new EmbeddedChannel(new ProtocolSniffHandler(), recorder);
        byte[] ssh = "SSH-2.0-OpenSSH_9.2\r\n".getBytes(StandardCharsets.US_ASCII);
        channel.writeInbound(Unpooled.wrappedBuffer(ssh));
        assertThat(recorder.events).containsExactly(SniffResult.raw(false));
        assertThat(recorder.received()).isEqualTo(ssh);
        channel.finishAndReleaseAll();
        recorder.release();
    }

    @Test
    void truncatedHelloThenTimeoutIsRawWithTheBytesPassedOn() throws Exception {
        byte[] hello = ClientHellos.jdk("trunc.example.com");
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(new ProtocolSniffHandler(), recorder);
        channel.writeInbound(Unpooled.wrappedBuffer(hello, 0, hello.length / 2));
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(recorder.events).containsExactly(SniffResult.raw(true));
        assertThat(recorder.received()).isEqualTo(Arrays.copyOf(hello, hello.length / 2));
        channel.finishAndReleaseAll();
        recorder.release();
    }

    @Test
    void garbageThatLooksLikeTlsIsRawNotAnException() {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = new EmbeddedChannel(new ProtocolSniffHandler(), recorder);
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {22, 3, 1, 0, 10, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}));
        assertThat(recorder.events).containsExactly(SniffResult.raw(false));
        assertThat(recorder.exceptions).isEmpty();
        channel.finishAndReleaseAll();
        recorder.release();
    }

    @Test
    void theByteLimitForcesADecision() {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = new EmbeddedChannel(new ProtocolSniffHandler(256, Duration.ofSeconds(5)), recorder);
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 20; i++) {
            request.writeBytes(("X-Header-" + i + ": value\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        byte[] bytes = request.toByteArray();
        for (int at = 0; at < bytes.length && recorder.events.isEmpty(); at += 50) {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, at, Math.min(50, bytes.length - at)));
        }
        assertThat(recorder.events).containsExactly(new SniffResult(SniffedProtocol.HTTP1, null, List.of(), null, false));
        assertThat(recorder.received()).hasSizeGreaterThanOrEqualTo(256);
        channel.finishAndReleaseAll();
        recorder.release();
    }

    @Test
    void withAutoReadOffItReadsUntilItDecidesAndThenStops() throws Exception {
        byte[] hello = ClientHellos.jdk("ar.example.com");
        Recorder recorder = new Recorder();
        ReadCounter reads = new ReadCounter();
        EmbeddedChannel channel = new EmbeddedChannel(false, false);
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(reads, new ProtocolSniffHandler(), recorder);
        channel.register();
        assertThat(reads.count).isEqualTo(1);
        channel.writeOneInbound(Unpooled.wrappedBuffer(hello, 0, 50));
        channel.pipeline().fireChannelReadComplete();
        assertThat(reads.count).isEqualTo(2);
        channel.writeOneInbound(Unpooled.wrappedBuffer(hello, 50, hello.length - 50));
        channel.pipeline().fireChannelReadComplete();
        assertThat(reads.count).isEqualTo(2);
        assertThat(recorder.events).extracting(SniffResult::serverName).containsExactly("ar.example.com");
        assertThat(recorder.readCompletes).isEqualTo(1);
        assertThat(recorder.received()).isEqualTo(hello);
        channel.finishAndReleaseAll();
        recorder.release();
    }

    @Test
    void endOfStreamBeforeADecisionDecidesThenPassesInactive() {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = new EmbeddedChannel(new ProtocolSniffHandler(), recorder);
        channel.writeInbound(Unpooled.wrappedBuffer("GET / HTTP/1.1\r\nAcc".getBytes(StandardCharsets.US_ASCII)));
        assertThat(recorder.events).isEmpty();
        channel.close();
        assertThat(recorder.events).containsExactly(new SniffResult(SniffedProtocol.HTTP1, null, List.of(), null, false));
        assertThat(recorder.inactiveAfterData).isTrue();
        channel.finishAndReleaseAll();
        recorder.release();
    }

    @Test
    void removalBeforeADecisionReleasesTheBuffer() {
        EmbeddedChannel channel = new EmbeddedChannel(new ProtocolSniffHandler());
        ByteBuf partial = Unpooled.directBuffer().writeBytes(new byte[] {22, 3, 1});
        channel.writeInbound(partial);
        channel.pipeline().remove(ProtocolSniffHandler.class);
        assertThat(partial.refCnt()).isZero();
        channel.finishAndReleaseAll();
    }

    @Test
    void aHelloTrickledByteByByteIsParsedOnceWhenComplete() throws Exception {
        byte[] hello = ClientHellos.jdk("trickle.example.com", "h2");
        for (byte[] stream : List.of(hello, ClientHellos.refragment(hello, 1), ClientHellos.refragment(hello, 2, 700))) {
            Recorder recorder = new Recorder();
            ProtocolSniffHandler handler = new ProtocolSniffHandler();
            EmbeddedChannel channel = new EmbeddedChannel();
            channel.freezeTime();
            channel.pipeline().addLast(handler, recorder);
            for (int i = 0; i < stream.length; i++) {
                if (!recorder.events.isEmpty()) {
                    throw new AssertionError("decided before byte " + i + " of " + stream.length);
                }
                channel.writeInbound(Unpooled.wrappedBuffer(stream, i, 1));
            }
            assertThat(recorder.events).containsExactly(
                    new SniffResult(SniffedProtocol.TLS, "trickle.example.com", List.of("h2"), null, false));
            assertThat(recorder.received()).isEqualTo(stream);
            assertThat(handler.fullSniffs()).isEqualTo(1);
            channel.finishAndReleaseAll();
            recorder.release();
        }
    }

    @Test
    void httpTrickledByteByByteIsParsedOncePerLine() {
        StringBuilder text = new StringBuilder("GET / HTTP/1.1\r\n");
        for (int i = 0; i < 40; i++) {
            text.append("X-Header-").append(i).append(": some value\r\n");
        }
        text.append("Host: trickle.example.org\r\n");
        byte[] request = text.toString().getBytes(StandardCharsets.US_ASCII);
        Recorder recorder = new Recorder();
        ProtocolSniffHandler handler = new ProtocolSniffHandler();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(handler, recorder);
        for (int i = 0; i < request.length; i++) {
            if (!recorder.events.isEmpty()) {
                throw new AssertionError("decided before byte " + i + ": " + recorder.events);
            }
            channel.writeInbound(Unpooled.wrappedBuffer(request, i, 1));
        }
        assertThat(recorder.events).containsExactly(
                new SniffResult(SniffedProtocol.HTTP1, null, List.of(), "trickle.example.org", false));
        assertThat(recorder.received()).isEqualTo(request);
        assertThat(handler.fullSniffs()).isLessThanOrEqualTo(64 + 42);
        channel.finishAndReleaseAll();
        recorder.release();
    }

    @Test
    void garbageAfterAValidStartIsStillDecidedByTheLimit() {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = new EmbeddedChannel(new ProtocolSniffHandler(1024, Duration.ofSeconds(5)), recorder);
        channel.writeInbound(Unpooled.wrappedBuffer("GET /".getBytes(StandardCharsets.US_ASCII)));
        for (int i = 0; i < 40 && recorder.events.isEmpty(); i++) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[32]));
        }
        assertThat(recorder.events).containsExactly(SniffResult.raw(false));
        channel.finishAndReleaseAll();
        recorder.release();
    }

    /** Records what the chain after the sniffer sees. */
    private static final class Recorder extends ChannelInboundHandlerAdapter {
        final List<SniffResult> events = new ArrayList<>();
        final List<ByteBuf> data = new ArrayList<>();
        final List<Throwable> exceptions = new ArrayList<>();
        boolean eventBeforeData;
        boolean inactiveAfterData;
        int readCompletes;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SniffResult result) {
                eventBeforeData = data.isEmpty();
                events.add(result);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            data.add((ByteBuf) msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            readCompletes++;
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            inactiveAfterData = !data.isEmpty() && !events.isEmpty();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            exceptions.add(cause);
        }

        byte[] received() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            data.forEach(b -> out.writeBytes(ByteBufUtil.getBytes(b)));
            return out.toByteArray();
        }

        void release() {
            data.forEach(ReferenceCountUtil::release);
            data.clear();
        }
    }

    /** Counts read() requests travelling to the transport. */
    private static final class ReadCounter extends ChannelOutboundHandlerAdapter {
        int count;

        @Override
        public void read(ChannelHandlerContext ctx) {
            count++;
            ctx.read();
        }
    }
}
