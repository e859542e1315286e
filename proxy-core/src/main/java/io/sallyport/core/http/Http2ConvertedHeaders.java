package io.sallyport.core.http;

import io.netty.handler.codec.EmptyHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The fields of an HTTP/1 message (a response head from an HTTP/1.1 origin, or trailers) as a read-only
 * HTTP/2 header block for the HPACK encoder: names lower-cased, connection-specific fields left out
 * (RFC 9113 §8.2.2), {@code :status} first when there is one.
 *
 * <p>The fields are taken once into two arrays, so a response costs these two arrays rather than a hash map
 * with an entry object per field that is filled, encoded once and dropped; the encoder walks the block twice
 * (the peer's header-list limit, then the encoding) with one iterator each. It is a snapshot, so it can also
 * wait in the flow controller (trailers behind queued DATA). Lookups by name are linear: a block holds a
 * dozen fields and is read by name only by the encoder's {@code :status} check.
 */
final class Http2ConvertedHeaders extends EmptyHeaders<CharSequence, CharSequence, Http2Headers>
        implements Http2Headers {

    private static final AsciiString STATUS = PseudoHeaderName.STATUS.value();

    private final CharSequence[] names;
    private final CharSequence[] values;
    private final int size;

    private Http2ConvertedHeaders(CharSequence[] names, CharSequence[] values, int size) {
        this.names = names;
        this.values = values;
        this.size = size;
    }

    /** {@code in} as an HTTP/2 block, with {@code :status} first unless {@code status} is null (trailers). */
    static Http2ConvertedHeaders of(CharSequence status, HttpHeaders in) {
        int capacity = in.size() + (status == null ? 0 : 1);
        CharSequence[] names = new CharSequence[capacity];
        CharSequence[] values = new CharSequence[capacity];
        int n = 0;
        if (status != null) {
            names[0] = STATUS;
            values[0] = status;
            n = 1;
        }
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = in.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            AsciiString name = Http2FieldNames.lowerCase(e.getKey());
            if (!Http2FieldNames.connectionSpecific(name)) {
                if (n == names.length) {
                    // Only if size() undercounted (a multi-valued view): grow rather than drop a field.
                    names = java.util.Arrays.copyOf(names, n * 2);
                    values = java.util.Arrays.copyOf(values, n * 2);
                }
                names[n] = name;
                values[n] = e.getValue();
                n++;
            }
        }
        return new Http2ConvertedHeaders(names, values, n);
    }

    private int indexOf(CharSequence name, int from) {
        for (int i = from; i < size; i++) {
            if (AsciiString.contentEquals(names[i], name)) {
                return i;
            }
        }
        return -1;
    }

    // ---- reads -------------------------------------------------------------------------------------

    @Override
    public CharSequence get(CharSequence name) {
        int i = indexOf(name, 0);
        return i < 0 ? null : values[i];
    }

    @Override
    public CharSequence get(CharSequence name, CharSequence defaultValue) {
        CharSequence v = get(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public List<CharSequence> getAll(CharSequence name) {
        List<CharSequence> out = new ArrayList<>(2);
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            out.add(values[i]);
        }
        return out;
    }

    @Override
    public boolean contains(CharSequence name) {
        return indexOf(name, 0) >= 0;
    }

    @Override
    public boolean contains(CharSequence name, CharSequence value) {
        return contains(name, value, false);
    }

    @Override
    public boolean contains(CharSequence name, CharSequence value, boolean caseInsensitive) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            if (caseInsensitive ? AsciiString.contentEqualsIgnoreCase(values[i], value)
                    : AsciiString.contentEquals(values[i], value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public Set<CharSequence> names() {
        Set<CharSequence> out = new LinkedHashSet<>();
        for (int i = 0; i < size; i++) {
            out.add(names[i]);
        }
        return out;
    }

    @Override
    public Iterator<CharSequence> valueIterator(CharSequence name) {
        return getAll(name).iterator();
    }

    /** The fields in order; each {@code next()} returns the iterator itself as the entry (read at once). */
    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iterator() {
        return new FieldIterator();
    }

    @Override
    public CharSequence status() {
        return size > 0 && names[0] == STATUS ? values[0] : null;
    }

    @Override
    public CharSequence method() {
        return null;
    }

    @Override
    public CharSequence scheme() {
        return null;
    }

    @Override
    public CharSequence authority() {
        return null;
    }

    @Override
    public CharSequence path() {
        return null;
    }

    // ---- no edits: the block is made for one encoding -------------------------------------------------

    @Override
    public Http2Headers method(CharSequence value) {
        throw new UnsupportedOperationException("read only");
    }

    @Override
    public Http2Headers scheme(CharSequence value) {
        throw new UnsupportedOperationException("read only");
    }

    @Override
    public Http2Headers authority(CharSequence value) {
        throw new UnsupportedOperationException("read only");
    }

    @Override
    public Http2Headers path(CharSequence value) {
        throw new UnsupportedOperationException("read only");
    }

    @Override
    public Http2Headers status(CharSequence value) {
        throw new UnsupportedOperationException("read only");
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Http2ConvertedHeaders[");
        for (int i = 0; i < size; i++) {
            b.append(i == 0 ? "" : ", ").append(names[i]).append(": ").append(values[i]);
        }
        return b.append(']').toString();
    }

    private final class FieldIterator implements Iterator<Map.Entry<CharSequence, CharSequence>>,
            Map.Entry<CharSequence, CharSequence> {
        private int next;
        private int current = -1;

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public Map.Entry<CharSequence, CharSequence> next() {
            if (next >= size) {
                throw new NoSuchElementException();
            }
            current = next++;
            return this;
        }

        @Override
        public CharSequence getKey() {
            return names[current];
        }

        @Override
        public CharSequence getValue() {
            return values[current];
        }

        @Override
        public CharSequence setValue(CharSequence value) {
            throw new UnsupportedOperationException("read only");
        }
    }
}
