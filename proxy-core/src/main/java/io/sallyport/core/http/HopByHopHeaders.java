package io.sallyport.core.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Removes hop-by-hop headers (RFC 9110 §7.6.1) from a message crossing the proxy: {@code Connection},
 * {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE} (except {@code trailers}), {@code Transfer-Encoding},
 * {@code Upgrade}, every header named in {@code Connection}, and Netty's internal {@code x-http2-*}
 * conversion headers. Message framing is decided again by the codec of the side it is written to.
 */
final class HopByHopHeaders {

    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");

    private HopByHopHeaders() {
    }

    // What the one pass over the names found (bits of the int that scan returns).
    private static final int CONNECTION = 1;
    private static final int MORE_THAN_ONE_CONNECTION = 1 << 1;
    private static final int KEEP_ALIVE_HEADER = 1 << 2;
    private static final int PROXY_CONNECTION_HEADER = 1 << 3;
    private static final int TRANSFER_ENCODING = 1 << 4;
    private static final int UPGRADE = 1 << 5;
    private static final int PROXY_AUTHENTICATE = 1 << 6;
    private static final int TE = 1 << 7;
    private static final int EXTENSION = 1 << 8;
    // Options found in the Connection values.
    private static final int CLOSE_OPTION = 1 << 9;
    private static final int KEEP_ALIVE_OPTION = 1 << 10;

    /** Strips {@code headers} in place. */
    static void strip(HttpHeaders headers) {
        strip(headers, scan(headers));
    }

    /**
     * Strips a message's headers in place and answers {@link io.netty.handler.codec.http.HttpUtil#isKeepAlive}
     * for the message as it was, from the same pass over its headers.
     */
    static boolean stripAndCheckKeepAlive(io.netty.handler.codec.http.HttpMessage m) {
        int options = strip(m.headers(), scan(m.headers()));
        return (options & CLOSE_OPTION) == 0
                && ((options & KEEP_ALIVE_OPTION) != 0 || m.protocolVersion().isKeepAliveDefault());
    }

    /** One look at each name: which hop-by-hop headers are present (most messages carry none beyond {@code Connection}). */
    private static int scan(HttpHeaders headers) {
        if (headers.isEmpty()) {
            return 0;
        }
        int found = 0;
        if (headers instanceof FlatHttpHeaders flat) {
            // The decoders' maps (every HTTP/1.1 message): the names straight from the array.
            for (int i = 0, n = flat.size(); i < n; i++) {
                found = found(found, classify(flat.nameAt(i)));
            }
            return found;
        }
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            found = found(found, classify(it.next().getKey()));
        }
        return found;
    }

    /** {@code found} with the flag of one more name (a second {@code Connection} noted as such). */
    private static int found(int found, int flag) {
        return flag == CONNECTION && (found & CONNECTION) != 0 ? found | MORE_THAN_ONE_CONNECTION : found | flag;
    }

    /** Removes what {@link #scan} found; returns the {@code close} / {@code keep-alive} options of {@code Connection}. */
    private static int strip(HttpHeaders headers, int found) {
        if (found == 0) {
            return 0;
        }
        int options = 0;
        if ((found & CONNECTION) != 0) {
            // The usual single value (often only the connection's own options) is read without a list copy.
            if ((found & MORE_THAN_ONE_CONNECTION) != 0) {
                for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
                    options |= connectionOptions(value, headers);
                }
            } else {
                // The value as stored: a decoded response's is a view of its head, read here without a copy.
                options = connectionOptions(headers instanceof FlatHttpHeaders flat
                        ? flat.first(HttpHeaderNames.CONNECTION) : headers.get(HttpHeaderNames.CONNECTION), headers);
            }
            headers.remove(HttpHeaderNames.CONNECTION);
        }
        if ((found & KEEP_ALIVE_HEADER) != 0) {
            headers.remove(KEEP_ALIVE);
        }
        if ((found & PROXY_CONNECTION_HEADER) != 0) {
            headers.remove(PROXY_CONNECTION);
        }
        if ((found & TRANSFER_ENCODING) != 0) {
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        }
        if ((found & UPGRADE) != 0) {
            headers.remove(HttpHeaderNames.UPGRADE);
        }
        if ((found & PROXY_AUTHENTICATE) != 0) {
            headers.remove(HttpHeaderNames.PROXY_AUTHENTICATE);
        }
        if ((found & TE) != 0 && headers.contains(HttpHeaderNames.TE)) {
            boolean trailers = false;
            for (String v : headers.getAll(HttpHeaderNames.TE)) {
                for (int start = 0; start <= v.length(); ) {
                    int end = tokenEnd(v, start);
                    int semi = v.indexOf(';', start);
                    String t = v.substring(start, semi >= 0 && semi < end ? semi : end).trim();
                    start = end + 1;
                    trailers |= AsciiString.contentEqualsIgnoreCase(t, HttpHeaderValues.TRAILERS);
                }
            }
            headers.remove(HttpHeaderNames.TE);
            if (trailers) {
                headers.add(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
            }
        }
        if ((found & EXTENSION) != 0) {
            List<String> drop = new ArrayList<>(3);
            for (String name : headers.names()) {
                if (Http2FieldNames.hasConversionPrefix(name)) {
                    drop.add(name);
                }
            }
            for (String n : drop) {
                headers.remove(n);
            }
        }
        return options;
    }

    /**
     * The {@code close} / {@code keep-alive} options of one {@code Connection} value; the headers its other
     * tokens name are removed from {@code headers} (the value was read before, so removing is safe). The
     * tokens are compared in place: the usual single {@code keep-alive} or {@code close} makes no string.
     */
    private static int connectionOptions(CharSequence value, HttpHeaders headers) {
        int found = 0;
        if (value == null) {
            return 0;
        }
        int n = value.length();
        for (int start = 0; start <= n; ) {
            int end = tokenEnd(value, start);
            int s = start;
            int e = end;
            // Trimmed as String.trim() trims.
            while (s < e && value.charAt(s) <= ' ') {
                s++;
            }
            while (e > s && value.charAt(e - 1) <= ' ') {
                e--;
            }
            start = end + 1;
            if (s == e) {
                continue;
            }
            if (isToken(value, s, e, HttpHeaderValues.CLOSE)) {
                found |= CLOSE_OPTION;
            } else if (isToken(value, s, e, HttpHeaderValues.KEEP_ALIVE)) {
                found |= KEEP_ALIVE_OPTION;
            } else if (!isToken(value, s, e, HttpHeaderNames.HOST)) {
                // Never let Connection remove end-to-end framing or routing information.
                headers.remove(value.subSequence(s, e).toString());
            }
        }
        return found;
    }

    /** Whether {@code value[start, end)} is {@code token} in any case. */
    private static boolean isToken(CharSequence value, int start, int end, AsciiString token) {
        return end - start == token.length() && AsciiString.regionMatchesAscii(value, true, start, token, 0, token.length());
    }

    /** The flag of a name {@link #strip} removes (a hop-by-hop header or an {@code x-http2-} one), else 0. */
    private static int classify(CharSequence name) {
        int f = switch (name.length()) {
            case 2 -> AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TE) ? TE : 0;
            case 7 -> AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.UPGRADE) ? UPGRADE : 0;
            case 10 -> AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONNECTION) ? CONNECTION
                    : AsciiString.contentEqualsIgnoreCase(name, KEEP_ALIVE) ? KEEP_ALIVE_HEADER : 0;
            case 16 -> AsciiString.contentEqualsIgnoreCase(name, PROXY_CONNECTION) ? PROXY_CONNECTION_HEADER : 0;
            case 17 -> AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TRANSFER_ENCODING)
                    ? TRANSFER_ENCODING : 0;
            case 18 -> AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.PROXY_AUTHENTICATE)
                    ? PROXY_AUTHENTICATE : 0;
            default -> 0;
        };
        return f != 0 ? f : Http2FieldNames.hasConversionPrefix(name) ? EXTENSION : 0;
    }

    /**
     * {@link io.netty.handler.codec.http.HttpUtil#isKeepAlive}, answered without its comma-splitting scan
     * for the usual single {@code Connection: keep-alive} or {@code close} value.
     */
    static boolean isKeepAlive(io.netty.handler.codec.http.HttpMessage m) {
        boolean keepAlive = false;
        for (Iterator<String> it = m.headers().valueStringIterator(HttpHeaderNames.CONNECTION); it.hasNext(); ) {
            String v = it.next();
            if (AsciiString.contentEqualsIgnoreCase(v, HttpHeaderValues.KEEP_ALIVE)) {
                keepAlive = true;
            } else if (AsciiString.contentEqualsIgnoreCase(v, HttpHeaderValues.CLOSE)) {
                return false;
            } else {
                return io.netty.handler.codec.http.HttpUtil.isKeepAlive(m); // a list: let Netty parse it
            }
        }
        return keepAlive || m.protocolVersion().isKeepAliveDefault();
    }

    /** Trailers carry no hop-by-hop or pseudo fields; HTTP/2 forbids connection-specific ones there too. */
    static void stripTrailers(HttpHeaders trailers) {
        if (!trailers.isEmpty()) {
            strip(trailers);
            trailers.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
    }

    /** The index of the comma ending the list element that starts at {@code start}, or the end of {@code v}. */
    private static int tokenEnd(CharSequence v, int start) {
        int comma = AsciiString.indexOf(v, ',', start);
        return comma < 0 ? v.length() : comma;
    }
}
