package io.sallyport.sni.sniff;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Buffers the first bytes of an accepted connection, decides what it speaks (TLS ClientHello, HTTP/1,
 * the HTTP/2 preface, or raw TCP), fires one {@link SniffResult} user event, removes itself and passes
 * the buffered bytes on unchanged, so the chain chosen on the event sees the stream from its first byte.
 *
 * <h2>Events seen by the next handler</h2>
 * Exactly one {@code SniffResult} per connection, before any {@code channelRead}: then the buffered
 * bytes as one {@code ByteBuf} (if any), then everything else as usual. A handler that rewires the
 * pipeline in its {@code userEventTriggered} (e.g. replaces itself with the chosen chain) therefore
 * gets the first bytes delivered to the new chain. {@code channelActive} is passed on when it happens,
 * before the decision; handlers must wait for the result before acting on the connection.
 *
 * <h2>Bounds</h2>
 * At most {@code maxBytes} (16 KiB by default) are buffered: when they are reached the sniffers decide
 * with what they have (a request line without a complete header block is HTTP/1 with an unknown host;
 * a ClientHello longer than the bound is not TLS, so raw). The timeout (1 s by default, 0 disables it)
 * starts when the channel is active and decides with what arrived: nothing at all, or an incomplete
 * hello or request line, is {@link SniffedProtocol#RAW}. End of stream before a decision decides the
 * same way, then {@code channelInactive} follows.
 *
 * <h2>Why a 1 second timeout</h2>
 * Client-speaks-first protocols (TLS, HTTP) send their first bytes immediately, so the timeout only
 * matters for server-speaks-first protocols (SMTP, MySQL, SSH servers, …), which send nothing until the
 * server greets them: for those the timeout <em>is</em> the moment the connection is declared raw TCP,
 * and its length is added to their connection setup. Envoy's {@code tls_inspector} and
 * {@code http_inspector} have no timeout of their own; the listener's {@code listener_filters_timeout}
 * (15 s by default) bounds them and, unless {@code continue_on_listener_filters_timeout} is set, closes
 * the connection when it fires — which breaks server-first protocols behind a passthrough listener. We
 * always continue as raw TCP on timeout, and default to 1 s: long enough for a client on a slow link
 * to get its first segment out, short enough that server-first protocols only pay one second once per
 * connection. It is configurable per listener.
 *
 * <h2>Flow control and buffers</h2>
 * Works with {@code AUTO_READ} off: it calls {@code read()} when it becomes active and after each read
 * that did not decide, and stops once it has decided (the next chain owns reading). Buffers are merged
 * with the channel's allocator and released if the handler is removed or the channel closes before
 * the decision.
 *
 * <p>One instance per connection; not sharable.
 */
public final class ProtocolSniffHandler extends ChannelInboundHandlerAdapter {

    /** Default bound on the buffered bytes. */
    public static final int DEFAULT_MAX_BYTES = 16 * 1024;
    /** Default time allowed for the first bytes before the connection is treated as raw TCP. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    private static final int TLS_HANDSHAKE = 22;

    private final int maxBytes;
    private final long timeoutNanos;
    private final ClientHelloSniffer clientHelloSniffer;
    private final HttpSniffer httpSniffer;

    private final TlsRecordTracker tlsRecords;

    private ByteBuf buffered;
    private int sniffedBytes;
    private int fullSniffs;
    private Future<?> timeout;
    private boolean started;
    private boolean decided;

    /** A handler with the default bound and timeout. */
    public ProtocolSniffHandler() {
        this(DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT);
    }

    /**
     * @param maxBytes the most bytes to buffer before deciding (at least 64)
     * @param timeout  how long to wait for enough bytes; zero disables the timeout
     */
    public ProtocolSniffHandler(int maxBytes, Duration timeout) {
        if (maxBytes < 64) {
            throw new IllegalArgumentException("maxBytes must be at least 64, was " + maxBytes);
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        }
        this.maxBytes = maxBytes;
        this.timeoutNanos = timeout.toNanos();
        this.clientHelloSniffer = new ClientHelloSniffer(maxBytes);
        this.httpSniffer = new HttpSniffer(maxBytes);
        this.tlsRecords = new TlsRecordTracker(maxBytes);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        if (started) {
            return;
        }
        started = true;
        if (timeoutNanos > 0) {
            timeout = ctx.executor().schedule(() -> onTimeout(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
        }
        if (!ctx.channel().config().isAutoRead()) {
            ctx.read();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (decided) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!(msg instanceof ByteBuf in)) {
            // Something upstream already decodes: nothing to sniff.
            decide(ctx, SniffResult.raw(false), false);
            ctx.fireChannelRead(msg);
            return;
        }
        buffered = buffered == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), buffered, in);
        boolean last = buffered.readableBytes() >= maxBytes;
        if (last || worthSniffing(buffered)) {
            SniffResult result = sniff(buffered, last);
            if (result != null) {
                decide(ctx, result, false);
                return;
            }
        }
        sniffedBytes = buffered.readableBytes();
    }

    /**
     * Whether the bytes that just arrived can change a "need more" verdict, checked in time
     * proportional to the new bytes, so that a client trickling one byte per segment does not make
     * every read re-parse everything buffered (quadratic work). For TLS: once the records hold the
     * whole hello (or stop being handshake records). For HTTP/1: when a line ends (the request line,
     * the Host line and the end of the header block all end with LF), or within the first 64 bytes
     * where another protocol is told apart. After the HTTP/2 preface: always (frame headers only).
     */
    private boolean worthSniffing(ByteBuf bytes) {
        int start = bytes.readerIndex();
        if (bytes.getUnsignedByte(start) == TLS_HANDSHAKE) {
            return tlsRecords.worthParsing(bytes);
        }
        int readable = bytes.readableBytes();
        return sniffedBytes < 64 || readable >= HttpSniffer.PREFACE.length && isPreface(bytes, start)
                || bytes.indexOf(start + sniffedBytes, start + readable, (byte) '\n') >= 0;
    }

    private static boolean isPreface(ByteBuf bytes, int start) {
        for (int i = 0; i < HttpSniffer.PREFACE.length; i++) {
            if (bytes.getByte(start + i) != HttpSniffer.PREFACE[i]) {
                return false;
            }
        }
        return true;
    }

    /** How many times the sniffers ran over the buffer (for tests of the incremental guard). */
    int fullSniffs() {
        return fullSniffs;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (decided) {
            ctx.fireChannelReadComplete();
        } else if (!ctx.channel().config().isAutoRead()) {
            ctx.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!decided) {
            decide(ctx, endOfInput(false), true);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimeout();
        if (buffered != null) {
            ReferenceCountUtil.release(buffered);
            buffered = null;
        }
    }

    private void onTimeout(ChannelHandlerContext ctx) {
        timeout = null;
        if (!decided && ctx.channel().isActive()) {
            decide(ctx, endOfInput(true), true);
        }
    }

    private SniffResult endOfInput(boolean timedOut) {
        SniffResult result = buffered == null ? null : sniff(buffered, true);
        if (result == null) {
            return SniffResult.raw(timedOut);
        }
        return timedOut ? new SniffResult(result.protocol(), result.serverName(), result.alpn(), result.httpHost(), true)
                : result;
    }

    /** The decision for the bytes so far, or null when more are needed (never null when {@code last}). */
    private SniffResult sniff(ByteBuf bytes, boolean last) {
        fullSniffs++;
        if (!bytes.isReadable()) {
            return last ? SniffResult.raw(false) : null;
        }
        if (bytes.getUnsignedByte(bytes.readerIndex()) == TLS_HANDSHAKE) {
            ClientHelloResult hello = clientHelloSniffer.sniff(bytes);
            return switch (hello.status()) {
                case TLS -> new SniffResult(SniffedProtocol.TLS, hello.serverName(), hello.alpn(), null, false);
                case NOT_TLS -> SniffResult.raw(false);
                case NEED_MORE -> last ? SniffResult.raw(false) : null;
            };
        }
        HttpSniffResult http = httpSniffer.sniff(bytes, last);
        return switch (http.status()) {
            case HTTP1 -> new SniffResult(SniffedProtocol.HTTP1, null, java.util.List.of(), http.host(), false);
            case HTTP2 -> new SniffResult(SniffedProtocol.HTTP2, null, java.util.List.of(), http.host(), false);
            case NOT_HTTP -> SniffResult.raw(false);
            case NEED_MORE -> null;
        };
    }

    private void decide(ChannelHandlerContext ctx, SniffResult result, boolean readComplete) {
        decided = true;
        cancelTimeout();
        ByteBuf bytes = buffered;
        buffered = null;
        ctx.pipeline().remove(this);
        ctx.fireUserEventTriggered(result);
        if (bytes != null) {
            if (bytes.isReadable()) {
                ctx.fireChannelRead(bytes);
                if (readComplete) {
                    ctx.fireChannelReadComplete();
                }
            } else {
                bytes.release();
            }
        }
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }
}
