package io.sallyport.core.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;

/**
 * Lower-case field names for HTTP/2 header blocks made from HTTP/1 headers. An HTTP/1.1 origin writes
 * {@code Content-Type}, {@code Server} and the like in mixed case; lower-casing them would make a new string
 * per field and response, so the common names map to shared constants and only other names are converted.
 * Also which names an HTTP/2 block must not carry.
 */
final class Http2FieldNames {

    private static final AsciiString[] COMMON = {
        HttpHeaderNames.ACCEPT, HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderNames.ACCEPT_LANGUAGE,
        HttpHeaderNames.ACCEPT_RANGES, HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, HttpHeaderNames.AGE,
        HttpHeaderNames.ALLOW, HttpHeaderNames.AUTHORIZATION, HttpHeaderNames.CACHE_CONTROL,
        HttpHeaderNames.CONNECTION, HttpHeaderNames.CONTENT_DISPOSITION, HttpHeaderNames.CONTENT_ENCODING,
        HttpHeaderNames.CONTENT_LANGUAGE, HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.CONTENT_RANGE,
        HttpHeaderNames.CONTENT_TYPE, HttpHeaderNames.COOKIE, HttpHeaderNames.DATE, HttpHeaderNames.ETAG,
        HttpHeaderNames.EXPIRES, HttpHeaderNames.HOST, HttpHeaderNames.IF_MODIFIED_SINCE,
        HttpHeaderNames.IF_NONE_MATCH, HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.LAST_MODIFIED,
        HttpHeaderNames.LOCATION, HttpHeaderNames.PRAGMA, HttpHeaderNames.RANGE, HttpHeaderNames.REFERER,
        HttpHeaderNames.RETRY_AFTER, HttpHeaderNames.SERVER, HttpHeaderNames.SET_COOKIE,
        HttpHeaderNames.TE, HttpHeaderNames.TRAILER,
        HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE, HttpHeaderNames.USER_AGENT,
        HttpHeaderNames.VARY, HttpHeaderNames.VIA, HttpHeaderNames.WWW_AUTHENTICATE,
        AsciiString.cached("x-forwarded-for"), AsciiString.cached("x-forwarded-proto"),
        AsciiString.cached("x-request-id"), AsciiString.cached("grpc-status"), AsciiString.cached("grpc-message"),
        AsciiString.cached("grpc-encoding"), AsciiString.cached("grpc-accept-encoding"),
    };
    private static final AsciiString X_HTTP2 = AsciiString.cached("x-http2-");
    private static final int MASK = 255;
    /** Open addressing by the case-insensitive hash Netty computes for any {@link CharSequence}. */
    private static final AsciiString[] TABLE = new AsciiString[MASK + 1];

    static {
        for (AsciiString name : COMMON) {
            int i = AsciiString.hashCode(name) & MASK;
            while (TABLE[i] != null) {
                i = (i + 1) & MASK;
            }
            TABLE[i] = name;
        }
    }

    private Http2FieldNames() {
    }

    /** {@code name} in lower case: itself when it already is, a shared constant for a common name. */
    static AsciiString lowerCase(CharSequence name) {
        // A name the HTTP/1.1 response parser shared (most of a response's) has its lower case ready.
        AsciiString shared = Http1UpstreamCodec.KnownTokens.sharedLowerCase(name);
        return shared != null ? shared : lowerCaseByTable(name);
    }

    /** {@link #lowerCase} without the parser's shared names (which are made with it). */
    static AsciiString lowerCaseByTable(CharSequence name) {
        AsciiString a = AsciiString.of(name);
        if (isLowerCase(a)) {
            return a;
        }
        for (int i = AsciiString.hashCode(name) & MASK; TABLE[i] != null; i = (i + 1) & MASK) {
            if (TABLE[i].contentEqualsIgnoreCase(name)) {
                return TABLE[i];
            }
        }
        return a.toLowerCase();
    }

    private static boolean isLowerCase(AsciiString a) {
        for (int i = 0; i < a.length(); i++) {
            byte b = a.byteAt(i);
            if (b >= 'A' && b <= 'Z') {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether an HTTP/2 message must not carry a field of this name (RFC 9113 §8.2.2): {@code Host} as a field,
     * the connection-specific ones, and Netty's {@code x-http2-*} conversion fields; any case. {@code TE} is
     * the caller's: it may stay as {@code trailers}.
     */
    static boolean connectionSpecific(CharSequence name) {
        if (hasConversionPrefix(name)) {
            return true;
        }
        return switch (name.length()) {
            case 4 -> AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.HOST);
            case 7 -> AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.UPGRADE);
            case 10 -> AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONNECTION)
                    || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.KEEP_ALIVE);
            case 16 -> AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.PROXY_CONNECTION);
            case 17 -> AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TRANSFER_ENCODING);
            default -> false;
        };
    }

    /** Whether {@code name} starts with Netty's {@code x-http2-} (its HTTP/2 conversion fields), in any case. */
    static boolean hasConversionPrefix(CharSequence name) {
        // The first two characters first: most names are not x-something.
        return name.length() > X_HTTP2.length() && (name.charAt(0) | 0x20) == 'x' && name.charAt(1) == '-'
                && AsciiString.regionMatchesAscii(name, true, 0, X_HTTP2, 0, X_HTTP2.length());
    }
}
