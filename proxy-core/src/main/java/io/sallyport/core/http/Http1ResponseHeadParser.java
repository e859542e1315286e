package io.sallyport.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads the usual origin response head, whole, in one pass over one copy of its bytes: {@code HTTP/1.1} or
 * {@code HTTP/1.0}, a final status other than 204 and 304, token names, values of visible ASCII, lines ending
 * in CRLF, exactly one {@code Content-Length} and no {@code Transfer-Encoding}. The header values are
 * {@link AsciiString} views of that copy, which an HTTP/1.1 encoder writes back with one array copy each
 * (Netty's decoder makes a string of each value, which the encoder then writes character by character).
 *
 * <p>Anything else (a head not complete in the buffer, larger than the limit, chunked or read-until-close
 * framing, obs-fold, a bare LF or CR, control characters or obs-text in a value, whitespace before a colon,
 * an interim or bodiless status) gets {@code null}, with nothing read, and is left to Netty's decoder. So
 * a head accepted here is one that decoder would have accepted, with the same names, values, status and
 * body length.
 */
final class Http1ResponseHeadParser {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes(StandardCharsets.US_ASCII);
    /** The shortest complete head: {@code HTTP/1.1 200} CRLF CRLF. */
    private static final int MIN_HEAD = 16;
    /** Content lengths of more digits go to Netty's decoder (which parses them as a {@code long}). */
    private static final int MAX_LENGTH_DIGITS = 18;

    /** Eight bytes of an array at once, in the array's order (the first byte lowest). */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** RFC 9110 tchar, by byte value (0-255). */
    private static final boolean[] TOKEN = new boolean[256];
    /** Visible ASCII, space and tab, by byte value: obs-text and control characters are Netty's decoder's. */
    private static final boolean[] FIELD = new boolean[256];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
        for (int b = 0x20; b < 0x7F; b++) {
            FIELD[b] = true;
        }
        FIELD['\t'] = true;
    }

    private final FlatHttpHeadersFactory headers;
    private final int maxHeadBytes;
    /** The body length of the head {@link #parse} last returned. */
    private long contentLength;

    /**
     * @param headers      makes the header maps (the parser's checks are at least as strict as its validators)
     * @param maxHeadBytes the largest head read here (status line, fields and the empty line); larger ones go to
     *                     Netty's decoder, which applies its own limits
     */
    Http1ResponseHeadParser(FlatHttpHeadersFactory headers, int maxHeadBytes) {
        this.headers = headers;
        this.maxHeadBytes = maxHeadBytes;
    }

    /** The {@code Content-Length} of the head {@link #parse} last returned. */
    long contentLength() {
        return contentLength;
    }

    /**
     * The response whose head starts at {@code in}'s reader index, with the head read; or {@code null}, with
     * nothing read, when it is not complete or not of the usual kind described above.
     */
    HttpResponse parse(ByteBuf in) {
        int start = in.readerIndex();
        int end = headEnd(in, start, Math.min(in.writerIndex(), start + maxHeadBytes));
        if (end < 0) {
            return null;
        }
        byte[] h = new byte[end - start];
        in.getBytes(start, h);
        HttpResponse r = parse(h);
        if (r != null) {
            in.readerIndex(end);
        }
        return r;
    }

    /** The index after the empty line ending the head, or -1 when there is none before {@code limit} or a bare LF comes first. */
    private static int headEnd(ByteBuf in, int start, int limit) {
        if (limit - start < MIN_HEAD) {
            return -1;
        }
        int line = start;
        while (true) {
            int lf = in.indexOf(line, limit, LF);
            if (lf <= line || in.getByte(lf - 1) != CR) {
                return -1; // not there yet, too long, or a bare LF
            }
            if (lf == line + 1) {
                return lf + 1;
            }
            line = lf + 1;
        }
    }

    private HttpResponse parse(byte[] h) {
        HttpVersion version = version(h);
        if (version == null || h[8] != ' ' || !digit(h[9]) || !digit(h[10]) || !digit(h[11])) {
            return null;
        }
        int code = (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
        if (code < 200 || code > 599 || code == 204 || code == 304) {
            return null;
        }
        // The reason phrase, trimmed as Netty's decoder trims it.
        int p = 12;
        int reasonStart = 12;
        int reasonEnd = 12;
        if (h[p] == ' ') {
            p++;
            while (h[p] == ' ' || h[p] == '\t') {
                p++;
            }
            reasonStart = p;
            p = fieldEnd(h, p);
            reasonEnd = trimmedEnd(h, reasonStart, p);
        }
        if (h[p] != CR || h[p + 1] != LF) {
            return null;
        }
        p += 2;
        FlatHttpHeaders fields = (FlatHttpHeaders) headers.newHeaders();
        long length = -1;
        while (h[p] != CR) {
            int nameStart = p;
            while (TOKEN[h[p] & 0xFF]) {
                p++;
            }
            int nameLength = p - nameStart;
            if (nameLength == 0 || h[p] != ':') {
                return null; // obs-fold, whitespace before the colon, or not a token
            }
            p++;
            while (h[p] == ' ' || h[p] == '\t') {
                p++;
            }
            int valueStart = p;
            p = fieldEnd(h, p);
            int valueEnd = trimmedEnd(h, valueStart, p);
            if (h[p] != CR || h[p + 1] != LF) {
                return null; // a control character, obs-text or a bare CR
            }
            p += 2;
            if (nameIs(h, nameStart, nameLength, CONTENT_LENGTH)) {
                if (length >= 0) {
                    return null; // duplicates: Netty's decoder decides
                }
                length = digits(h, valueStart, valueEnd);
                if (length < 0) {
                    return null;
                }
            } else if (nameIs(h, nameStart, nameLength, TRANSFER_ENCODING)) {
                return null;
            }
            AsciiString name = Http1UpstreamCodec.KnownTokens.headerName(h, nameStart, nameLength);
            fields.addChecked(name != null ? name : new AsciiString(h, nameStart, nameLength, false),
                    valueEnd == valueStart ? AsciiString.EMPTY_STRING
                            : new AsciiString(h, valueStart, valueEnd - valueStart, false));
        }
        if (length < 0) {
            return null; // read until the connection closes: Netty's decoder
        }
        contentLength = length;
        String reason = Http1UpstreamCodec.KnownTokens.word(h, reasonStart, reasonEnd - reasonStart);
        if (reason == null) {
            reason = new String(h, reasonStart, reasonEnd - reasonStart, StandardCharsets.ISO_8859_1);
        }
        return new DefaultHttpResponse(version, HttpResponseStatus.valueOf(code, reason), fields);
    }

    private static HttpVersion version(byte[] h) {
        if (h[0] != 'H' || h[1] != 'T' || h[2] != 'T' || h[3] != 'P' || h[4] != '/' || h[5] != '1' || h[6] != '.') {
            return null;
        }
        return h[7] == '1' ? HttpVersion.HTTP_1_1 : h[7] == '0' ? HttpVersion.HTTP_1_0 : null;
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }

    /**
     * The index of the first byte from {@code p} that is not visible ASCII, space or tab (the CR of a
     * well-formed line). Eight bytes at a time while they are all visible ASCII or spaces (a value is mostly
     * that), then byte by byte from the first one that is not (a tab, the CR, anything else).
     */
    private static int fieldEnd(byte[] h, int p) {
        for (int last = h.length - Long.BYTES; p <= last; p += Long.BYTES) {
            long x = (long) LONGS.get(h, p);
            // A high bit per byte that is below 0x20, or 0x7F and above: the first such byte is exact
            // (borrows and carries only run towards later bytes).
            long below = (x - 0x2020202020202020L) & ~x;
            long above = x | ((x & 0x7F7F7F7F7F7F7F7FL) + 0x0101010101010101L);
            if (((below | above) & 0x8080808080808080L) != 0) {
                break;
            }
        }
        while (FIELD[h[p] & 0xFF]) {
            p++;
        }
        return p;
    }

    /** {@code end} moved back over trailing spaces and tabs, not before {@code start}. */
    private static int trimmedEnd(byte[] h, int start, int end) {
        while (end > start && (h[end - 1] == ' ' || h[end - 1] == '\t')) {
            end--;
        }
        return end;
    }

    /** Whether the token at {@code start} is {@code lower} in any case (a token's other bytes cannot fold onto a letter or '-'). */
    private static boolean nameIs(byte[] h, int start, int length, byte[] lower) {
        if (length != lower.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if ((h[start + i] | 0x20) != lower[i]) {
                return false;
            }
        }
        return true;
    }

    /** The decimal number in {@code h[start, end)}, or -1 unless it is 1 to 18 digits and nothing else. */
    private static long digits(byte[] h, int start, int end) {
        if (end == start || end - start > MAX_LENGTH_DIGITS) {
            return -1;
        }
        long v = 0;
        for (int i = start; i < end; i++) {
            if (!digit(h[i])) {
                return -1;
            }
            v = v * 10 + (h[i] - '0');
        }
        return v;
    }
}
