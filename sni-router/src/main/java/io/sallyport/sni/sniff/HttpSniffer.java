package io.sallyport.sni.sniff;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * Recognises plaintext HTTP at the start of a buffer without consuming it: an HTTP/1.x request line
 * with its {@code Host} header, or the HTTP/2 connection preface with the first request's
 * {@code :authority}.
 *
 * <h2>HTTP/1</h2>
 * The request line must be {@code METHOD SP target SP HTTP/1.<digit>} with an upper-case method of at
 * most 20 characters; the verdict is {@code HTTP1} as soon as a complete {@code Host} header line (name
 * compared case-insensitively) or the end of the header block is seen. The host is returned without its
 * port and without IPv6 brackets.
 *
 * <h2>HTTP/2 prior knowledge (h2c)</h2>
 * After the 24-byte preface the sniffer walks the client's frames (SETTINGS, WINDOW_UPDATE, …) to the
 * first HEADERS frame and its CONTINUATIONs, and decodes that header block with Netty's HPACK decoder
 * (bounded by {@code maxBytes}) to read {@code :authority}, falling back to {@code host}. The first
 * header block of a connection is decodable on its own: its dynamic table starts empty and the client
 * encodes with the default table size until it has seen the server's SETTINGS. A client that waits for
 * the server before sending its first request, a header block that does not decode, or frames beyond
 * the bound give {@code HTTP2} with an unknown ({@code null}) authority once {@code endOfInput} is set.
 *
 * <h2>Bounds</h2>
 * Everything is decided within {@code maxBytes} (16 KiB by default). When the readable bytes reach the
 * bound, or the caller says no more bytes will come ({@code endOfInput}: a timeout or end of stream),
 * a complete request line gives {@code HTTP1} with an unknown host, the preface gives {@code HTTP2}
 * with an unknown authority, and anything else is {@code NOT_HTTP}. {@code NEED_MORE} and
 * {@code NOT_HTTP} allocate nothing; this class never throws on input and never changes the buffer's
 * indexes. Instances are immutable except for the per-call HPACK decoder and can be shared.
 */
public final class HttpSniffer {

    /** The default bound on the bytes examined. */
    public static final int DEFAULT_MAX_BYTES = 16 * 1024;

    /** The HTTP/2 client connection preface (RFC 9113 §3.4). */
    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static final int MAX_METHOD_LENGTH = 20;
    private static final byte[] VERSION_PREFIX = {'H', 'T', 'T', 'P', '/', '1', '.'};
    private static final int FRAME_HEADER_LENGTH = 9;
    private static final int FRAME_HEADERS = 0x1;
    private static final int FRAME_CONTINUATION = 0x9;
    private static final int FLAG_END_HEADERS = 0x4;
    private static final int FLAG_PADDED = 0x8;
    private static final int FLAG_PRIORITY = 0x20;
    private static final int MAX_FRAME_LENGTH = 16_384;

    private final int maxBytes;

    /** A sniffer examining at most {@link #DEFAULT_MAX_BYTES}. */
    public HttpSniffer() {
        this(DEFAULT_MAX_BYTES);
    }

    /** A sniffer examining at most {@code maxBytes} (at least 64). */
    public HttpSniffer(int maxBytes) {
        if (maxBytes < 64) {
            throw new IllegalArgumentException("maxBytes must be at least 64, was " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** The bound on the bytes examined. */
    public int maxBytes() {
        return maxBytes;
    }

    /**
     * Sniffs the readable bytes of {@code in}.
     *
     * @param endOfInput true when no more bytes will be offered (a timeout or end of stream): the
     *                   answer is then never {@code NEED_MORE}
     */
    public HttpSniffResult sniff(ByteBuf in, boolean endOfInput) {
        int start = in.readerIndex();
        int end = start + Math.min(in.readableBytes(), maxBytes);
        boolean last = endOfInput || in.readableBytes() >= maxBytes;
        if (end == start) {
            return last ? HttpSniffResult.NOT_HTTP : HttpSniffResult.NEED_MORE;
        }
        int prefaceMatch = matchPrefix(in, start, end, PREFACE);
        if (prefaceMatch == PREFACE.length) {
            return sniffHttp2(in, start + PREFACE.length, end, last);
        }
        if (prefaceMatch == end - start && !last) {
            return HttpSniffResult.NEED_MORE; // could still be the preface or a PRI request
        }
        return sniffHttp1(in, start, end, last);
    }

    /** How many leading bytes of {@code in[from, to)} equal {@code expected}'s (up to its length). */
    private static int matchPrefix(ByteBuf in, int from, int to, byte[] expected) {
        int n = Math.min(to - from, expected.length);
        for (int i = 0; i < n; i++) {
            if (in.getByte(from + i) != expected[i]) {
                return i;
            }
        }
        return n;
    }

    private static HttpSniffResult sniffHttp1(ByteBuf in, int start, int end, boolean last) {
        int i = start;
        // method
        while (i < end && in.getByte(i) != ' ') {
            byte b = in.getByte(i);
            if (!(b >= 'A' && b <= 'Z' || b == '-' || b == '_') || i - start >= MAX_METHOD_LENGTH) {
                return HttpSniffResult.NOT_HTTP;
            }
            i++;
        }
        if (i == end) {
            return last ? HttpSniffResult.NOT_HTTP : HttpSniffResult.NEED_MORE;
        }
        if (i == start) {
            return HttpSniffResult.NOT_HTTP;
        }
        int targetStart = ++i;
        while (i < end && in.getByte(i) != ' ') {
            byte b = in.getByte(i);
            if (b <= ' ' || b == 0x7F) {
                return HttpSniffResult.NOT_HTTP;
            }
            i++;
        }
        if (i == end) {
            return last ? HttpSniffResult.NOT_HTTP : HttpSniffResult.NEED_MORE;
        }
        if (i == targetStart) {
            return HttpSniffResult.NOT_HTTP;
        }
        i++;
        int versionMatch = matchPrefix(in, i, end, VERSION_PREFIX);
        if (versionMatch < Math.min(end - i, VERSION_PREFIX.length)) {
            return HttpSniffResult.NOT_HTTP;
        }
        i += VERSION_PREFIX.length;
        if (i >= end) {
            return last ? HttpSniffResult.NOT_HTTP : HttpSniffResult.NEED_MORE;
        }
        byte minor = in.getByte(i++);
        if (minor < '0' || minor > '9') {
            return HttpSniffResult.NOT_HTTP;
        }
        if (i < end && in.getByte(i) == '\r') {
            i++;
        }
        if (i >= end) {
            return last ? HttpSniffResult.NOT_HTTP : HttpSniffResult.NEED_MORE;
        }
        if (in.getByte(i++) != '\n') {
            return HttpSniffResult.NOT_HTTP;
        }
        // A valid request line: this is HTTP/1 whatever the headers hold; look for Host.
        while (true) {
            int lineEnd = indexOf(in, i, end, (byte) '\n');
            if (lineEnd < 0) {
                return last ? HttpSniffResult.http1(null) : HttpSniffResult.NEED_MORE;
            }
            int contentEnd = lineEnd > i && in.getByte(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
            if (contentEnd == i) {
                return HttpSniffResult.http1(null); // end of the header block without Host
            }
            if (contentEnd - i > 5 && isHostName(in, i) && in.getByte(i + 4) == ':') {
                return HttpSniffResult.http1(hostWithoutPort(in, i + 5, contentEnd));
            }
            i = lineEnd + 1;
        }
    }

    private static boolean isHostName(ByteBuf in, int i) {
        return (in.getByte(i) | 0x20) == 'h' && (in.getByte(i + 1) | 0x20) == 'o'
                && (in.getByte(i + 2) | 0x20) == 's' && (in.getByte(i + 3) | 0x20) == 't';
    }

    private static int indexOf(ByteBuf in, int from, int to, byte value) {
        for (int i = from; i < to; i++) {
            if (in.getByte(i) == value) {
                return i;
            }
        }
        return -1;
    }

    /** The trimmed value of {@code in[from, to)} without {@code :port} or IPv6 brackets; null if empty. */
    private static String hostWithoutPort(ByteBuf in, int from, int to) {
        while (from < to && isOws(in.getByte(from))) {
            from++;
        }
        while (to > from && isOws(in.getByte(to - 1))) {
            to--;
        }
        if (from == to) {
            return null;
        }
        if (in.getByte(from) == '[') {
            int close = indexOf(in, from, to, (byte) ']');
            return close < 0 ? null : ascii(in, from + 1, close);
        }
        int colon = indexOf(in, from, to, (byte) ':');
        if (colon >= 0 && indexOf(in, colon + 1, to, (byte) ':') < 0 && allDigits(in, colon + 1, to)) {
            to = colon;
        }
        return from == to ? null : ascii(in, from, to);
    }

    private static boolean isOws(byte b) {
        return b == ' ' || b == '\t';
    }

    private static boolean allDigits(ByteBuf in, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                return false;
            }
        }
        return true;
    }

    private static String ascii(ByteBuf in, int from, int to) {
        return in.toString(from, to - from, StandardCharsets.US_ASCII);
    }

    private HttpSniffResult sniffHttp2(ByteBuf in, int i, int end, boolean last) {
        HttpSniffResult unknown = last ? HttpSniffResult.http2(null) : HttpSniffResult.NEED_MORE;
        while (true) {
            if (end - i < FRAME_HEADER_LENGTH) {
                return unknown;
            }
            int length = in.getUnsignedMedium(i);
            int type = in.getUnsignedByte(i + 3);
            int flags = in.getUnsignedByte(i + 4);
            int streamId = in.getInt(i + 5) & 0x7FFFFFFF;
            if (length > MAX_FRAME_LENGTH) {
                return HttpSniffResult.http2(null);
            }
            int payload = i + FRAME_HEADER_LENGTH;
            if (type != FRAME_HEADERS) {
                i = payload + length;
                continue;
            }
            if (end - payload < length) {
                return unknown;
            }
            int fragmentStart = payload;
            int fragmentEnd = payload + length;
            if ((flags & FLAG_PADDED) != 0) {
                if (length < 1) {
                    return HttpSniffResult.http2(null);
                }
                fragmentStart++;
                fragmentEnd -= in.getUnsignedByte(payload);
            }
            if ((flags & FLAG_PRIORITY) != 0) {
                fragmentStart += 5;
            }
            if (fragmentEnd < fragmentStart) {
                return HttpSniffResult.http2(null);
            }
            if ((flags & FLAG_END_HEADERS) != 0) {
                return HttpSniffResult.http2(decodeAuthority(streamId, in.slice(fragmentStart, fragmentEnd - fragmentStart)));
            }
            return sniffContinuations(in, streamId, fragmentStart, fragmentEnd, payload + length, end, last);
        }
    }

    private HttpSniffResult sniffContinuations(ByteBuf in, int streamId, int firstStart, int firstEnd,
                                               int i, int end, boolean last) {
        int total = firstEnd - firstStart;
        int scan = i;
        while (true) {
            if (end - scan < FRAME_HEADER_LENGTH) {
                return last ? HttpSniffResult.http2(null) : HttpSniffResult.NEED_MORE;
            }
            int length = in.getUnsignedMedium(scan);
            if (in.getUnsignedByte(scan + 3) != FRAME_CONTINUATION || length > MAX_FRAME_LENGTH) {
                return HttpSniffResult.http2(null);
            }
            if (end - scan - FRAME_HEADER_LENGTH < length) {
                return last ? HttpSniffResult.http2(null) : HttpSniffResult.NEED_MORE;
            }
            total += length;
            boolean endHeaders = (in.getUnsignedByte(scan + 4) & FLAG_END_HEADERS) != 0;
            scan += FRAME_HEADER_LENGTH + length;
            if (endHeaders) {
                break;
            }
        }
        ByteBuf block = Unpooled.buffer(total);
        try {
            block.writeBytes(in, firstStart, firstEnd - firstStart);
            for (int at = i; at < scan; ) {
                int length = in.getUnsignedMedium(at);
                block.writeBytes(in, at + FRAME_HEADER_LENGTH, length);
                at += FRAME_HEADER_LENGTH + length;
            }
            return HttpSniffResult.http2(decodeAuthority(streamId, block));
        } finally {
            block.release();
        }
    }

    private String decodeAuthority(int streamId, ByteBuf block) {
        DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false, maxBytes);
        try {
            Http2Headers headers = decoder.decodeHeaders(streamId, block);
            CharSequence authority = headers.authority();
            if (authority == null) {
                authority = headers.get(AsciiString.cached("host"));
            }
            if (authority == null || authority.length() == 0) {
                return null;
            }
            AsciiString ascii = AsciiString.of(authority);
            ByteBuf bytes = Unpooled.wrappedBuffer(ascii.array(), ascii.arrayOffset(), ascii.length());
            return hostWithoutPort(bytes, bytes.readerIndex(), bytes.writerIndex());
        } catch (Http2Exception | RuntimeException e) {
            return null;
        }
    }
}
