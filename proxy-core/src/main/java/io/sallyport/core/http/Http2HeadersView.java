package io.sallyport.core.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The regular fields of a received HTTP/2 header block seen as HTTP/1 {@link HttpHeaders}, without a copy:
 * an exchange reads and edits them as usual, and when the message goes out over HTTP/2 again the same block
 * is sent on ({@link #http2()}, after {@link #stripConnectionSpecific}). Pseudo-header fields are hidden;
 * for a request, {@code Host} is its {@code :authority}. Names are matched case-insensitively (stored lower-case).
 */
final class Http2HeadersView extends CharSequenceHttpHeaders {


    private final Http2Headers h2;
    /** A request's view: {@code Host} is {@code :authority}. */
    private final boolean request;

    private Http2HeadersView(Http2Headers h2, boolean request) {
        this.h2 = h2;
        this.request = request;
    }

    /**
     * A request's fields: a {@code host} field gives way to {@code :authority} (or becomes it when there is
     * none), and several {@code cookie} fields are joined into one (RFC 9113 §8.2.3), as HTTP/1.1 needs them.
     */
    static Http2HeadersView ofRequest(Http2Headers h) {
        CharSequence host = h.get(HttpHeaderNames.HOST);
        if (host != null) {
            if (h.authority() == null) {
                h.authority(host);
            }
            h.remove(HttpHeaderNames.HOST);
        }
        if (h.contains(HttpHeaderNames.COOKIE)) {
            List<CharSequence> cookies = h.getAll(HttpHeaderNames.COOKIE);
            if (cookies.size() > 1) {
                StringBuilder joined = new StringBuilder(cookies.get(0));
                for (int i = 1; i < cookies.size(); i++) {
                    joined.append("; ").append(cookies.get(i));
                }
                h.set(HttpHeaderNames.COOKIE, joined.toString());
            }
        }
        return new Http2HeadersView(h, true);
    }

    /** A response's fields (or trailers'): only the pseudo-header fields are hidden. */
    static Http2HeadersView ofResponse(Http2Headers h) {
        return new Http2HeadersView(h, false);
    }

    /** The underlying block, with its pseudo-header fields and every edit made through this view. */
    Http2Headers http2() {
        return h2;
    }

    /**
     * Removes the fields HTTP/2 forbids (RFC 9113 §8.2.2): {@code Host} as a field, the connection-specific
     * ones, a {@code TE} other than {@code trailers}, and Netty's {@code x-http2-*} conversion fields. One pass
     * over the block finds them (usually none), instead of a lookup per forbidden name.
     */
    static void stripConnectionSpecific(Http2Headers h) {
        List<CharSequence> drop = null;
        boolean te = false;
        boolean teTrailers = false;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iterator(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            CharSequence name = e.getKey();
            if (isPseudo(name)) {
                continue;
            }
            if (name.length() == 2 && AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TE)) {
                te = true;
                teTrailers |= AsciiString.containsIgnoreCase(e.getValue(), HttpHeaderValues.TRAILERS);
            } else if (Http2FieldNames.connectionSpecific(name)) {
                if (drop == null) {
                    drop = new ArrayList<>(2);
                }
                drop.add(name);
            }
        }
        if (drop != null) {
            for (CharSequence name : drop) {
                h.remove(name);
            }
        }
        if (te) {
            h.remove(HttpHeaderNames.TE);
            if (teTrailers) {
                h.add(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
            }
        }
    }

    // ---- names -------------------------------------------------------------------------------------

    private boolean isHost(CharSequence name) {
        return request && name.length() == 4 && AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.HOST);
    }

    private static boolean isPseudo(CharSequence name) {
        return name.length() > 0 && name.charAt(0) == ':';
    }

    /** HTTP/2 field names are lower-case; HTTP/1 callers may use any case. */
    private static CharSequence lower(CharSequence name) {
        if (name instanceof AsciiString) {
            return Http2FieldNames.lowerCase(name);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return Http2FieldNames.lowerCase(name);
            }
        }
        return name;
    }

    private static String str(CharSequence v) {
        return v == null ? null : v.toString();
    }

    private static CharSequence chars(Object value) {
        return value instanceof CharSequence cs ? cs : String.valueOf(value);
    }

    // ---- reads -------------------------------------------------------------------------------------

    @Override
    public String get(CharSequence name) {
        if (isHost(name)) {
            return str(h2.authority());
        }
        return isPseudo(name) ? null : str(h2.get(lower(name)));
    }

    @Override
    public Integer getInt(CharSequence name) {
        return isPseudo(name) ? null : h2.getInt(lower(name));
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        return isPseudo(name) ? defaultValue : h2.getInt(lower(name), defaultValue);
    }

    @Override
    public Short getShort(CharSequence name) {
        return isPseudo(name) ? null : h2.getShort(lower(name));
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        return isPseudo(name) ? defaultValue : h2.getShort(lower(name), defaultValue);
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        return isPseudo(name) ? null : h2.getTimeMillis(lower(name));
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        return isPseudo(name) ? defaultValue : h2.getTimeMillis(lower(name), defaultValue);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        if (isHost(name)) {
            CharSequence a = h2.authority();
            return a == null ? List.of() : List.of(a.toString());
        }
        if (isPseudo(name)) {
            return List.of();
        }
        List<CharSequence> values = h2.getAll(lower(name));
        List<String> out = new ArrayList<>(values.size());
        for (CharSequence v : values) {
            out.add(v.toString());
        }
        return out;
    }

    @Override
    public boolean contains(CharSequence name) {
        if (isHost(name)) {
            return h2.authority() != null;
        }
        return !isPseudo(name) && h2.contains(lower(name));
    }

    /** The values without a copied list (what {@code containsValue}, e.g. a chunked-encoding check, walks). */
    @Override
    public Iterator<? extends CharSequence> valueCharSequenceIterator(CharSequence name) {
        if (isHost(name)) {
            CharSequence a = h2.authority();
            return a == null ? java.util.Collections.emptyIterator() : List.of(a).iterator();
        }
        return isPseudo(name) ? java.util.Collections.emptyIterator() : h2.valueIterator(lower(name));
    }

    /** Without the list of values {@link HttpHeaders}' version makes (asked per request: {@code Expect}). */
    @Override
    public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
        if (isHost(name)) {
            CharSequence a = h2.authority();
            return a != null && (ignoreCase ? AsciiString.contentEqualsIgnoreCase(a, value)
                    : AsciiString.contentEquals(a, value));
        }
        return !isPseudo(name) && h2.contains(lower(name), value, ignoreCase);
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        List<Map.Entry<String, String>> out = new ArrayList<>(h2.size());
        for (Iterator<Map.Entry<String, String>> it = iterator(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        Iterator<Map.Entry<CharSequence, CharSequence>> it = iteratorCharSequence();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Map.Entry<String, String> next() {
                Map.Entry<CharSequence, CharSequence> e = it.next();
                return new AbstractMap.SimpleImmutableEntry<>(e.getKey().toString(), e.getValue().toString());
            }
        };
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new FieldIterator();
    }

    @Override
    public boolean isEmpty() {
        return !iteratorCharSequence().hasNext();
    }

    @Override
    public int size() {
        int n = 0;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = iteratorCharSequence(); it.hasNext(); it.next()) {
            n++;
        }
        return n;
    }

    @Override
    public Set<String> names() {
        Set<String> out = new LinkedHashSet<>();
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = iteratorCharSequence(); it.hasNext(); ) {
            out.add(it.next().getKey().toString());
        }
        return out;
    }

    /** A copy that stays a view (over a copy of the block), so it can still go out over HTTP/2 as is. */
    @Override
    public HttpHeaders copy() {
        Http2Headers c = new DefaultHttp2Headers(false, h2.size());
        c.add(h2);
        return new Http2HeadersView(c, request);
    }

    // ---- edits -------------------------------------------------------------------------------------

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        if (isHost(name)) {
            h2.authority(chars(value));
        } else {
            h2.addObject(lower(name), value);
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        h2.addInt(lower(name), value);
        return this;
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        h2.addShort(lower(name), value);
        return this;
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        if (isHost(name)) {
            h2.authority(chars(value));
        } else {
            h2.setObject(lower(name), value);
        }
        return this;
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        remove(name);
        return add(name, values);
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        h2.setInt(lower(name), value);
        return this;
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        h2.setShort(lower(name), value);
        return this;
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        if (isHost(name)) {
            h2.remove(Http2Headers.PseudoHeaderName.AUTHORITY.value());
        } else if (!isPseudo(name)) {
            h2.remove(lower(name));
        }
        return this;
    }

    @Override
    public HttpHeaders clear() {
        for (String name : names()) {
            remove(name);
        }
        return this;
    }

    /** The regular fields, a request's {@code Host} (its {@code :authority}) first. */
    private final class FieldIterator implements Iterator<Map.Entry<CharSequence, CharSequence>> {
        private final Iterator<Map.Entry<CharSequence, CharSequence>> it = h2.iterator();
        private Map.Entry<CharSequence, CharSequence> next;

        FieldIterator() {
            CharSequence authority = request ? h2.authority() : null;
            if (authority != null) {
                next = new AbstractMap.SimpleImmutableEntry<>(HttpHeaderNames.HOST, authority);
            } else {
                advance();
            }
        }

        private void advance() {
            next = null;
            while (it.hasNext()) {
                Map.Entry<CharSequence, CharSequence> e = it.next();
                if (!isPseudo(e.getKey())) {
                    next = e;
                    return;
                }
            }
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public Map.Entry<CharSequence, CharSequence> next() {
            Map.Entry<CharSequence, CharSequence> e = next;
            if (e == null) {
                throw new NoSuchElementException();
            }
            advance();
            return e;
        }
    }
}
