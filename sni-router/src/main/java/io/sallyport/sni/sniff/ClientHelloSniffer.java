package io.sallyport.sni.sniff;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a TLS ClientHello at the start of a buffer, without consuming it, and extracts the SNI
 * {@code host_name} and the ALPN protocol list.
 *
 * <p>The ClientHello may arrive split over several TCP segments (call {@link #sniff} again with the
 * grown buffer) and over several TLS records (each at most 16 KiB, all of content type handshake);
 * the whole hello, record headers included, must fit in {@code maxBytes} (64 KiB by default). Anything
 * else at the start of the buffer — another protocol, an SSLv2 hello, a record or message that breaks
 * the TLS 1.0–1.3 ClientHello grammar, a hello larger than the bound — is {@link ClientHelloResult#NOT_TLS}:
 * this class never throws on input. The reader and writer indexes are never changed.
 *
 * <p>The {@code NEED_MORE} and {@code NOT_TLS} answers allocate nothing; a {@code TLS} answer allocates
 * its strings (the common ALPN names are constants; a name within one record is copied once, straight
 * into its string). The hello is first validated in one pass that only records where the SNI and ALPN
 * bytes are, and the strings are built after it proved complete and well-formed.
 *
 * <p>An instance keeps its cursor in fields so that it allocates nothing per call: it is cheap, not
 * thread-safe, and meant to be owned by one connection (or one thread).
 */
public final class ClientHelloSniffer {

    /** The default bound on the whole ClientHello including record headers. */
    public static final int DEFAULT_MAX_BYTES = 64 * 1024;
    /** The largest TLSPlaintext fragment (RFC 8446 §5.1). */
    static final int MAX_RECORD_LENGTH = 16 * 1024;

    private static final int CONTENT_TYPE_HANDSHAKE = 22;
    private static final int HANDSHAKE_CLIENT_HELLO = 1;
    private static final int EXTENSION_SERVER_NAME = 0;
    private static final int EXTENSION_ALPN = 16;
    private static final int NAME_TYPE_HOST_NAME = 0;

    /** ALPN protocol names returned as these constants rather than new strings (RFC 7301's registry). */
    private static final String[] KNOWN_ALPN = {"h2", "http/1.1", "http/1.0", "h3", "acme-tls/1"};
    private static final String[] NO_KNOWN_NAMES = {};

    private static final int NEED = -1;
    private static final int BAD = -2;

    private final int maxBytes;

    // Cursor over the handshake bytes carried by consecutive records, starting at the reader index.
    private ByteBuf buf;
    private int start;
    private int pos;
    private int limit;
    private int recordEnd;
    private int offset;

    // Where the interesting parts were found, as offsets in the handshake byte stream.
    private int sniOffset;
    private int sniLength;
    private int alpnOffset;
    private int alpnLength;

    /** A sniffer bounding the hello at {@link #DEFAULT_MAX_BYTES}. */
    public ClientHelloSniffer() {
        this(DEFAULT_MAX_BYTES);
    }

    /** A sniffer bounding the whole hello, record headers included, at {@code maxBytes}. */
    public ClientHelloSniffer(int maxBytes) {
        if (maxBytes < 64) {
            throw new IllegalArgumentException("maxBytes must be at least 64, was " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** The bound on the whole hello, record headers included. */
    public int maxBytes() {
        return maxBytes;
    }

    /** Sniffs the readable bytes of {@code in}, leaving its indexes untouched. */
    public ClientHelloResult sniff(ByteBuf in) {
        int verdict;
        try {
            verdict = parse(in);
            if (verdict == 0) {
                return ClientHelloResult.tls(sniLength < 0 ? null : readAscii(sniOffset, sniLength), readAlpn());
            }
        } finally {
            buf = null;
        }
        return verdict == NEED ? ClientHelloResult.NEED_MORE : ClientHelloResult.NOT_TLS;
    }

    /** Cheap check of the first bytes: could this be the start of a TLS handshake record? */
    public static boolean mayBeTls(ByteBuf in) {
        int n = in.readableBytes();
        int r = in.readerIndex();
        return n == 0 || in.getUnsignedByte(r) == CONTENT_TYPE_HANDSHAKE
                && (n < 2 || in.getUnsignedByte(r + 1) == 3)
                && (n < 3 || in.getUnsignedByte(r + 2) <= 4);
    }

    /** 0 when a complete, well-formed ClientHello was found; NEED or BAD otherwise. */
    private int parse(ByteBuf in) {
        if (!mayBeTls(in)) {
            return BAD;
        }
        buf = in;
        start = in.readerIndex();
        pos = start;
        limit = in.writerIndex();
        recordEnd = start;
        offset = 0;
        sniLength = -1;
        alpnLength = -1;

        int type = u8();
        if (type != HANDSHAKE_CLIENT_HELLO) {
            return type < 0 ? type : BAD;
        }
        int length = u24();
        if (length < 0) {
            return length;
        }
        // version(2) random(32) session_id(1+) cipher_suites(2+2) compression(1+1)
        if (length < 41 || length > maxBytes) {
            return BAD;
        }
        int end = offset + length;
        int version = u16();
        if (version < 0) {
            return version;
        }
        if (version >> 8 != 3) {
            return BAD;
        }
        int r = skip(32);
        if (r < 0) {
            return r;
        }
        int sessionIdLength = u8();
        if (sessionIdLength < 0) {
            return sessionIdLength;
        }
        if (sessionIdLength > 32 || (r = skip(sessionIdLength)) < 0) {
            return sessionIdLength > 32 ? BAD : r;
        }
        int suitesLength = u16();
        if (suitesLength < 0) {
            return suitesLength;
        }
        if (suitesLength < 2 || (suitesLength & 1) != 0 || offset + suitesLength > end) {
            return BAD;
        }
        if ((r = skip(suitesLength)) < 0) {
            return r;
        }
        int compressionLength = u8();
        if (compressionLength < 0) {
            return compressionLength;
        }
        if (compressionLength < 1 || offset + compressionLength > end) {
            return BAD;
        }
        if ((r = skip(compressionLength)) < 0) {
            return r;
        }
        if (offset == end) {
            return 0; // a hello without extensions
        }
        int extensionsLength = u16();
        if (extensionsLength < 0) {
            return extensionsLength;
        }
        if (offset + extensionsLength != end) {
            return BAD;
        }
        while (offset < end) {
            int extensionType = u16();
            if (extensionType < 0) {
                return extensionType;
            }
            int extensionLength = u16();
            if (extensionLength < 0) {
                return extensionLength;
            }
            int extensionEnd = offset + extensionLength;
            if (extensionEnd > end) {
                return BAD;
            }
            if (extensionType == EXTENSION_SERVER_NAME) {
                r = parseServerName(extensionEnd);
            } else if (extensionType == EXTENSION_ALPN) {
                r = parseAlpn(extensionEnd);
            } else {
                r = skip(extensionLength);
            }
            if (r < 0) {
                return r;
            }
        }
        return 0;
    }

    private int parseServerName(int extensionEnd) {
        if (extensionEnd == offset) {
            return 0; // the empty server_name a server echoes; tolerated from a client
        }
        int listLength = u16();
        if (listLength < 0) {
            return listLength;
        }
        if (offset + listLength != extensionEnd || listLength < 3) {
            return BAD;
        }
        while (offset < extensionEnd) {
            int nameType = u8();
            if (nameType < 0) {
                return nameType;
            }
            int nameLength = u16();
            if (nameLength < 0) {
                return nameLength;
            }
            if (nameLength == 0 || offset + nameLength > extensionEnd) {
                return BAD;
            }
            if (nameType == NAME_TYPE_HOST_NAME && sniLength < 0) {
                sniOffset = offset;
                sniLength = nameLength;
                for (int i = 0; i < nameLength; i++) {
                    int c = u8();
                    if (c < 0) {
                        return c;
                    }
                    if (c <= ' ' || c >= 0x7F) {
                        return BAD; // RFC 6066: an ASCII host name without a trailing NUL or spaces
                    }
                }
            } else {
                int r = skip(nameLength);
                if (r < 0) {
                    return r;
                }
            }
        }
        return 0;
    }

    private int parseAlpn(int extensionEnd) {
        int listLength = u16();
        if (listLength < 0) {
            return listLength;
        }
        if (offset + listLength != extensionEnd || listLength < 2) {
            return BAD;
        }
        alpnOffset = offset;
        alpnLength = listLength;
        while (offset < extensionEnd) {
            int nameLength = u8();
            if (nameLength < 0) {
                return nameLength;
            }
            if (nameLength == 0 || offset + nameLength > extensionEnd) {
                return BAD;
            }
            int r = skip(nameLength);
            if (r < 0) {
                return r;
            }
        }
        return 0;
    }

    private List<String> readAlpn() {
        if (alpnLength < 0) {
            return List.of();
        }
        rewindTo(alpnOffset);
        int end = alpnOffset + alpnLength;
        String first = readAsciiHere(u8(), KNOWN_ALPN);
        if (offset == end) {
            return List.of(first);
        }
        String second = readAsciiHere(u8(), KNOWN_ALPN);
        if (offset == end) {
            return List.of(first, second);
        }
        List<String> names = new ArrayList<>(4);
        names.add(first);
        names.add(second);
        while (offset < end) {
            names.add(readAsciiHere(u8(), KNOWN_ALPN));
        }
        return List.copyOf(names);
    }

    private String readAscii(int at, int length) {
        rewindTo(at);
        return readAsciiHere(length, NO_KNOWN_NAMES);
    }

    /**
     * The next {@code length} bytes (all present: the hello was validated) as a string: the element of
     * {@code known} equal to them, else a new string.
     */
    private String readAsciiHere(int length, String[] known) {
        nextRecordIfNeeded();
        if (length <= recordEnd - pos) {
            // Within one record, the usual case: compared and copied where the bytes are.
            int at = pos;
            pos += length;
            offset += length;
            for (String k : known) {
                if (equalsAscii(at, length, k)) {
                    return k;
                }
            }
            // Netty turns each byte into one char for US-ASCII (as the slow path below does), with one copy.
            return buf.toString(at, length, StandardCharsets.US_ASCII);
        }
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = (char) u8();
        }
        return new String(chars);
    }

    private boolean equalsAscii(int at, int length, String s) {
        if (s.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (buf.getByte(at + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Moves the cursor back to the handshake stream's start and forward to {@code target}. */
    private void rewindTo(int target) {
        pos = start;
        recordEnd = start;
        offset = 0;
        skip(target);
    }

    /** Enters the next record when the current one is used up; 0, NEED or BAD. */
    private int nextRecordIfNeeded() {
        if (pos < recordEnd) {
            return 0;
        }
        if (pos - start + 5 > maxBytes) {
            return BAD;
        }
        if (limit - pos < 5) {
            // Decide NOT_TLS as early as the bytes we have allow.
            if (pos < limit && buf.getUnsignedByte(pos) != CONTENT_TYPE_HANDSHAKE) {
                return BAD;
            }
            return NEED;
        }
        int contentType = buf.getUnsignedByte(pos);
        int major = buf.getUnsignedByte(pos + 1);
        int minor = buf.getUnsignedByte(pos + 2);
        int length = buf.getUnsignedShort(pos + 3);
        if (contentType != CONTENT_TYPE_HANDSHAKE || major != 3 || minor > 4
                || length == 0 || length > MAX_RECORD_LENGTH) {
            return BAD;
        }
        pos += 5;
        recordEnd = pos + length;
        if (recordEnd - start > maxBytes) {
            recordEnd = start + maxBytes; // the hello must end within the bound
        }
        return 0;
    }

    private int u8() {
        int r = nextRecordIfNeeded();
        if (r < 0) {
            return r;
        }
        if (pos >= limit) {
            return NEED;
        }
        offset++;
        return buf.getUnsignedByte(pos++);
    }

    private int u16() {
        int a = u8();
        if (a < 0) {
            return a;
        }
        int b = u8();
        return b < 0 ? b : a << 8 | b;
    }

    private int u24() {
        int a = u8();
        if (a < 0) {
            return a;
        }
        int b = u16();
        return b < 0 ? b : a << 16 | b;
    }

    private int skip(int n) {
        while (n > 0) {
            int r = nextRecordIfNeeded();
            if (r < 0) {
                return r;
            }
            int available = Math.min(recordEnd, limit) - pos;
            if (available <= 0) {
                return NEED;
            }
            int step = Math.min(n, available);
            pos += step;
            offset += step;
            n -= step;
        }
        return 0;
    }
}
