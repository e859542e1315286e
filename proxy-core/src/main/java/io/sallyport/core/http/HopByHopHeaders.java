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

    private static final String EXTENSION_PREFIX = "x-http2-";
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");

    private HopByHopHeaders() {
    }

    /** Strips {@code headers} in place. */
    static void strip(HttpHeaders headers) {
        // One look at each name first: most messages carry no hop-by-hop header beyond Connection.
        if (!hasHopByHopName(headers)) {
            return;
        }
        List<String> named = null;
        // Most requests carry no Connection header, or only its own options: nothing is allocated for them.
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
                for (int start = 0; start <= value.length(); ) {
                    int end = tokenEnd(value, start);
                    String t = value.substring(start, end).trim();
                    start = end + 1;
                    if (t.isEmpty() || AsciiString.contentEqualsIgnoreCase(t, HttpHeaderValues.CLOSE)
                            || AsciiString.contentEqualsIgnoreCase(t, HttpHeaderValues.KEEP_ALIVE)) {
                        continue; // options, or a header removed below anyway
                    }
                    if (named == null) {
                        named = new ArrayList<>(2);
                    }
                    named.add(t);
                }
            }
        }
        if (named != null) {
            for (String n : named) {
                // Never let Connection remove end-to-end framing or routing information.
                if (!AsciiString.contentEqualsIgnoreCase(n, HttpHeaderNames.HOST)) {
                    headers.remove(n);
                }
            }
        }
        headers.remove(HttpHeaderNames.CONNECTION);
        headers.remove(KEEP_ALIVE);
        headers.remove(PROXY_CONNECTION);
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        headers.remove(HttpHeaderNames.UPGRADE);
        headers.remove(HttpHeaderNames.PROXY_AUTHENTICATE);
        if (headers.contains(HttpHeaderNames.TE)) {
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
        boolean hasExtension = false;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence name = it.next().getKey();
            if (name.length() > EXTENSION_PREFIX.length()
                    && AsciiString.regionMatches(name, true, 0, EXTENSION_PREFIX, 0, EXTENSION_PREFIX.length())) {
                hasExtension = true;
                break;
            }
        }
        if (hasExtension) {
            List<String> drop = new ArrayList<>(3);
            for (String name : headers.names()) {
                if (name.regionMatches(true, 0, EXTENSION_PREFIX, 0, EXTENSION_PREFIX.length())) {
                    drop.add(name);
                }
            }
            for (String n : drop) {
                headers.remove(n);
            }
        }
    }

    /** Whether any name is one {@link #strip} removes (a hop-by-hop header or an {@code x-http2-} one). */
    private static boolean hasHopByHopName(HttpHeaders headers) {
        if (headers.isEmpty()) {
            return false;
        }
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            if (isHopByHopName(it.next().getKey())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isHopByHopName(CharSequence name) {
        return switch (name.length()) {
            case 2 -> AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TE);
            case 7 -> AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.UPGRADE);
            case 10 -> AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONNECTION)
                    || AsciiString.contentEqualsIgnoreCase(name, KEEP_ALIVE)
                    || hasExtensionPrefix(name);
            case 16 -> AsciiString.contentEqualsIgnoreCase(name, PROXY_CONNECTION)
                    || hasExtensionPrefix(name);
            case 17 -> AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TRANSFER_ENCODING)
                    || hasExtensionPrefix(name);
            case 18 -> AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.PROXY_AUTHENTICATE)
                    || hasExtensionPrefix(name);
            default -> hasExtensionPrefix(name);
        };
    }

    private static boolean hasExtensionPrefix(CharSequence name) {
        return name.length() > EXTENSION_PREFIX.length()
                && AsciiString.regionMatches(name, true, 0, EXTENSION_PREFIX, 0, EXTENSION_PREFIX.length());
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
    private static int tokenEnd(String v, int start) {
        int comma = v.indexOf(',', start);
        return comma < 0 ? v.length() : comma;
    }
}
