package io.sallyport.sni.sniff;

import io.netty.buffer.ByteBuf;

/**
 * Follows the TLS record headers of one connection's growing first bytes, so that the full
 * ClientHello parse runs only once the hello can be complete (or the records are broken), not on
 * every read: each call walks only the records that arrived since the previous one.
 *
 * <p>The caller must pass the same stream each time (the same bytes at the same offsets from the
 * reader index, growing), as {@link ProtocolSniffHandler}'s cumulation does.
 */
final class TlsRecordTracker {

    private final int maxBytes;
    private int nextHeader;       // offset from the reader index of the next record header to walk
    private int handshakeBytes;   // payload bytes of the records walked so far
    private int helloLength = -1; // the handshake message's length once its 4-byte header is known

    /** @param maxBytes the bound the full parser applies to the whole hello */
    TlsRecordTracker(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * Whether a full parse could now answer something other than "need more": a complete hello may
     * be present, or a record header is not a handshake record.
     */
    boolean worthParsing(ByteBuf in) {
        int start = in.readerIndex();
        int readable = in.readableBytes();
        int partial = 0;
        while (true) {
            if (readable - nextHeader < 5) {
                partial = 0;
                break;
            }
            int at = start + nextHeader;
            int length = in.getUnsignedShort(at + 3);
            if (in.getUnsignedByte(at) != 22 || in.getUnsignedByte(at + 1) != 3 || in.getUnsignedByte(at + 2) > 4
                    || length == 0 || length > ClientHelloSniffer.MAX_RECORD_LENGTH) {
                return true;
            }
            if (readable - nextHeader - 5 < length) {
                partial = readable - nextHeader - 5;
                break;
            }
            handshakeBytes += length;
            nextHeader += 5 + length;
        }
        int available = handshakeBytes + partial;
        if (helloLength < 0) {
            if (available < 4) {
                return false;
            }
            int header = readHandshakeHeader(in);
            if (header >>> 24 != 1 || (header & 0xFFFFFF) + 4 > maxBytes) {
                return true; // not a ClientHello, or one over the bound: the parser says so at once
            }
            helloLength = header & 0xFFFFFF;
        }
        return available >= 4 + helloLength;
    }

    /** The first four bytes of the handshake stream (type, 24-bit length), read across records. */
    private static int readHandshakeHeader(ByteBuf in) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        int value = 0;
        int index = 0;
        for (int at = start; at + 5 <= end && index < 4; ) {
            int length = in.getUnsignedShort(at + 3);
            for (int i = at + 5; i < Math.min(at + 5 + length, end) && index < 4; i++, index++) {
                value = value << 8 | in.getUnsignedByte(i);
            }
            at += 5 + length;
        }
        return value;
    }
}
