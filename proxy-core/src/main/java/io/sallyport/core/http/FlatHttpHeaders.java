package io.sallyport.core.http;

import io.netty.handler.codec.CharSequenceValueConverter;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collections;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * HTTP/1.x header fields kept in one flat array ({@code name0, value0, name1, value1, …}) in insertion order,
 * found by a linear scan with an ASCII case-insensitive name match: a message carries 5–15 fields, for which
 * a scan beats hashing, and the message costs this object and one array instead of Netty's hash table,
 * its head node and one linked entry object per field.
 *
 * <p>It follows {@code DefaultHttpHeaders} (with a plain, non-combining factory) method for method: the same
 * validators and exceptions, {@code set} removes every field of the name and appends the new ones at the end,
 * {@code get} answers the first value, {@code getAll} all of them in order, the value iterators go from the
 * last added to the first and can remove, {@code getTimeMillis} lets a {@link java.text.ParseException}
 * through as Netty does, and the entry iterators are read-only.
 *
 * <p>One difference, the one {@code ReadOnlyHttp2Headers} also makes: {@link #iteratorCharSequence()} is its
 * own entry (it allocates nothing per field), so an entry it returns is valid until the next call to
 * {@code next()}. {@link #iterator()} and {@link #entries()} return entries of their own. Not thread-safe, as
 * Netty's headers.
 */
public final class FlatHttpHeaders extends CharSequenceHttpHeaders {

    // Netty's conversions (a date that does not parse throws a ParseException through getTimeMillis, as in Netty).
    private static final Function<CharSequence, Integer> TO_INT = CharSequenceValueConverter.INSTANCE::convertToInt;
    private static final Function<CharSequence, Short> TO_SHORT = CharSequenceValueConverter.INSTANCE::convertToShort;
    private static final Function<CharSequence, Long> TO_MILLIS = CharSequenceValueConverter.INSTANCE::convertToTimeMillis;

    /** Fields in a new array: most requests and responses fit without growing. */
    private static final int INITIAL_FIELDS = 8;

    /** The validators (one reference rather than two: this object is made for every message). */
    private final FlatHttpHeadersFactory validation;
    /** Names at even indexes, their values after them; null until a field is added (trailers mostly stay empty). */
    private CharSequence[] fields;
    private int size;

    /** Empty headers validated as {@code validation}'s; made by {@link FlatHttpHeadersFactory}. */
    FlatHttpHeaders(FlatHttpHeadersFactory validation) {
        this.validation = validation;
    }

    private FlatHttpHeaders(FlatHttpHeaders source) {
        this(source.validation);
        if (source.size > 0) {
            fields = Arrays.copyOf(source.fields, source.fields.length);
            size = source.size;
        }
    }

    // ---- reading -----------------------------------------------------------------------------------

    @Override
    public String get(CharSequence name) {
        CharSequence v = first(name);
        return v == null ? null : v.toString();
    }

    /** The name of the {@code i}th field (0 to {@link #size()} - 1), as stored. */
    CharSequence nameAt(int i) {
        Objects.checkIndex(i, size);
        return fields[i << 1];
    }

    /** The first value of {@code name} as stored (no string made of it), or null. */
    CharSequence first(CharSequence name) {
        checkName(name);
        CharSequence[] f = fields;
        for (int i = 0, n = size << 1; i < n; i += 2) {
            if (sameName(f[i], name)) {
                return f[i + 1];
            }
        }
        return null;
    }

    @Override
    public Integer getInt(CharSequence name) {
        return parsed(name, TO_INT);
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        Integer v = getInt(name);
        return v != null ? v : defaultValue;
    }

    @Override
    public Short getShort(CharSequence name) {
        return parsed(name, TO_SHORT);
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        Short v = getShort(name);
        return v != null ? v : defaultValue;
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        return parsed(name, TO_MILLIS);
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        Long v = getTimeMillis(name);
        return v != null ? v : defaultValue;
    }

    /** The first value of {@code name} converted as Netty's headers convert it; null when absent or not convertible. */
    private <T> T parsed(CharSequence name, Function<CharSequence, T> converter) {
        CharSequence v = first(name);
        if (v == null) {
            return null;
        }
        try {
            return converter.apply(v);
        } catch (RuntimeException notConvertible) {
            return null;
        }
    }

    @Override
    public List<String> getAll(CharSequence name) {
        checkName(name);
        CharSequence[] f = fields;
        int n = size << 1;
        int firstAt = -1;
        int count = 0;
        for (int i = 0; i < n; i += 2) {
            if (sameName(f[i], name)) {
                if (count++ == 0) {
                    firstAt = i;
                }
            }
        }
        if (count == 0) {
            return Collections.emptyList();
        }
        if (count == 1) {
            return Collections.singletonList(f[firstAt + 1].toString());
        }
        String[] values = new String[count];
        for (int i = firstAt, j = 0; j < count; i += 2) {
            if (sameName(f[i], name)) {
                values[j++] = f[i + 1].toString();
            }
        }
        return Collections.unmodifiableList(Arrays.asList(values));
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        if (size == 0) {
            return Collections.emptyList();
        }
        List<Map.Entry<String, String>> all = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            all.add(new StringField(i));
        }
        return all;
    }

    @Override
    public boolean contains(CharSequence name) {
        return first(name) != null;
    }

    /** Whether a field of {@code name} has exactly {@code value} (no list splitting). */
    @Override
    public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
        checkName(name);
        CharSequence[] f = fields;
        for (int i = 0, n = size << 1; i < n; i += 2) {
            if (sameName(f[i], name) && (ignoreCase ? AsciiString.contentEqualsIgnoreCase(value, f[i + 1])
                    : AsciiString.contentEquals(value, f[i + 1]))) {
                return true;
            }
        }
        return false;
    }

    /** Whether a field of {@code name} has {@code value} as one of its comma-separated, trimmed elements. */
    @Override
    public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
        checkName(name);
        CharSequence[] f = fields;
        for (int i = 0, n = size << 1; i < n; i += 2) {
            if (sameName(f[i], name) && listContains(f[i + 1], value, ignoreCase)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public int size() {
        return size;
    }

    /**
     * A view of the distinct names, first seen first: distinct as Netty's are, by {@code equals} of the name
     * objects (case-sensitive; a {@code String} and an {@code AsciiString} are two names). {@code contains}
     * ignores case; {@code add} fails, and removing through its iterator changes only the iterator's copy.
     */
    @Override
    public Set<String> names() {
        return new NameSet();
    }

    // ---- iteration ---------------------------------------------------------------------------------

    /** Entries of their own (with {@code String} key and value), read-only iterator. */
    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public Map.Entry<String, String> next() {
                if (next >= size) {
                    throw new NoSuchElementException();
                }
                return new StringField(next++);
            }

            @Override
            public void remove() {
                throw new UnsupportedOperationException("read only");
            }
        };
    }

    /** The fields as stored; the iterator is its own entry, valid until the next {@code next()}. */
    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new FieldIterator();
    }

    /** The values of {@code name} from the last added to the first (as Netty's); {@code remove()} removes one. */
    @Override
    public Iterator<String> valueStringIterator(CharSequence name) {
        return new ValueIterator<>(name, true);
    }

    /** As {@link #valueStringIterator}, the values as stored. */
    @Override
    public Iterator<CharSequence> valueCharSequenceIterator(CharSequence name) {
        return new ValueIterator<>(name, false);
    }

    // ---- writing -----------------------------------------------------------------------------------

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        CharSequence v = convert(name, value);
        validate(name, v);
        append(name, v);
        return this;
    }

    @Override
    public HttpHeaders add(HttpHeaders headers) {
        Objects.requireNonNull(headers, "headers");
        if (headers == this) {
            throw new IllegalArgumentException("can't add to itself.");
        }
        addAll(headers);
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        return add(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        return add(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        CharSequence v = convert(name, value);
        validate(name, v);
        removeAll(name);
        append(name, v);
        return this;
    }

    /** Replaces the values of {@code name} with {@code values}, up to the first null one. */
    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        validation.nameValidator().validateName(name);
        removeAll(name);
        for (Object v : values) {
            if (v == null) {
                break;
            }
            CharSequence cv = convert(name, v);
            validateValue(name, cv);
            append(name, cv);
        }
        return this;
    }

    /** Replaces every field with those of {@code headers} (nothing happens when it is this object). */
    @Override
    public HttpHeaders set(HttpHeaders headers) {
        Objects.requireNonNull(headers, "headers");
        if (headers != this) {
            clear();
            addAll(headers);
        }
        return this;
    }

    @Override
    public HttpHeaders setAll(HttpHeaders headers) {
        Objects.requireNonNull(headers, "headers");
        return headers == this ? this : super.setAll(headers);
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        return set(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        return set(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        checkName(name);
        removeAll(name);
        return this;
    }

    @Override
    public HttpHeaders clear() {
        if (size > 0) {
            Arrays.fill(fields, 0, size << 1, null);
            size = 0;
        }
        return this;
    }

    /** A copy with the same validators. */
    @Override
    public HttpHeaders copy() {
        return new FlatHttpHeaders(this);
    }

    // ---- equality (as Netty's: per name, the same values in the same order; names ignore case) ----------

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FlatHttpHeaders other) || other.size != size) {
            return false;
        }
        CharSequence[] f = fields;
        for (int i = 0, n = size << 1; i < n; i += 2) {
            if (isFirstOfName(i) && !sameValues(f[i], other)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        // A sum over the names, so that equal headers with their names in another order hash alike.
        int result = 0;
        CharSequence[] f = fields;
        for (int i = 0, n = size << 1; i < n; i += 2) {
            if (isFirstOfName(i)) {
                int h = AsciiString.hashCode(f[i]);
                for (int j = i; j < n; j += 2) {
                    if (sameName(f[j], f[i])) {
                        h = 31 * h + AsciiString.hashCode(f[j + 1]);
                    }
                }
                result += h;
            }
        }
        return result;
    }

    private boolean isFirstOfName(int i) {
        for (int j = 0; j < i; j += 2) {
            if (sameName(fields[j], fields[i])) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code other} has the values of {@code name} this object has, in the same order. */
    private boolean sameValues(CharSequence name, FlatHttpHeaders other) {
        CharSequence[] f = fields;
        CharSequence[] g = other.fields;
        int n = size << 1;
        int j = 0;
        for (int i = 0; i < n; i += 2) {
            if (!sameName(f[i], name)) {
                continue;
            }
            while (j < n && !sameName(g[j], name)) {
                j += 2;
            }
            if (j >= n || !AsciiString.contentEquals(f[i + 1], g[j + 1])) {
                return false;
            }
            j += 2;
        }
        while (j < n && !sameName(g[j], name)) {
            j += 2;
        }
        return j >= n;
    }

    // ---- internals ---------------------------------------------------------------------------------

    private static void checkName(CharSequence name) {
        if (name == null) {
            throw new NullPointerException("name");
        }
    }

    /** ASCII case-insensitive, the identity and the length first (names are often shared constants). */
    private static boolean sameName(CharSequence a, CharSequence b) {
        return a == b || a.length() == b.length() && AsciiString.contentEqualsIgnoreCase(a, b);
    }

    /** As Netty's value conversion: character sequences as they are, dates in the HTTP format, others by toString. */
    private static CharSequence convert(CharSequence name, Object value) {
        if (value == null) {
            throw new NullPointerException("value");
        }
        if (value instanceof CharSequence s) {
            return s;
        }
        try {
            if (value instanceof Date d) {
                return DateFormatter.format(d);
            }
            if (value instanceof Calendar c) {
                return DateFormatter.format(c.getTime());
            }
            return value.toString();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Failed to convert object value for header '" + name + '\'', e);
        }
    }

    private void validate(CharSequence name, CharSequence value) {
        validation.nameValidator().validateName(name);
        validateValue(name, value);
        if (value == null) {
            throw new NullPointerException("value");
        }
    }

    private void validateValue(CharSequence name, CharSequence value) {
        try {
            validation.valueValidator().validate(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Validation failed for header '" + name + "'", e);
        }
    }

    /**
     * Adds a field without validating it again: for {@link Http1ResponseHeadParser}, whose checks (a token
     * name, a value of visible ASCII, spaces and tabs) are stricter than any validator of these headers.
     */
    void addChecked(CharSequence name, CharSequence value) {
        append(name, value);
    }

    private void append(CharSequence name, CharSequence value) {
        CharSequence[] f = fields;
        int at = size << 1;
        if (f == null) {
            f = fields = new CharSequence[INITIAL_FIELDS << 1];
        } else if (at == f.length) {
            f = fields = Arrays.copyOf(f, f.length << 1);
        }
        f[at] = name;
        f[at + 1] = value;
        size++;
    }

    /** Adds the fields of {@code headers} (not this object), validated unless they passed the same validators. */
    private void addAll(HttpHeaders headers) {
        if (headers instanceof FlatHttpHeaders other && other.validation.validatesAs(validation)) {
            CharSequence[] g = other.fields;
            for (int i = 0, n = other.size << 1; i < n; i += 2) {
                append(g[i], g[i + 1]);
            }
            return;
        }
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            add(e.getKey(), e.getValue());
        }
    }

    /** Removes every field of {@code name}, keeping the others in order. */
    private void removeAll(CharSequence name) {
        CharSequence[] f = fields;
        int n = size << 1;
        int w = 0;
        for (int r = 0; r < n; r += 2) {
            if (!sameName(f[r], name)) {
                if (w != r) {
                    f[w] = f[r];
                    f[w + 1] = f[r + 1];
                }
                w += 2;
            }
        }
        if (w != n) {
            Arrays.fill(f, w, n, null);
            size = w >> 1;
        }
    }

    private void removeAt(int field) {
        int at = field << 1;
        int n = size << 1;
        System.arraycopy(fields, at + 2, fields, at, n - at - 2);
        fields[n - 2] = null;
        fields[n - 1] = null;
        size--;
    }

    /**
     * Whether the comma-separated list {@code list} has an element equal to {@code expected} once trimmed of
     * spaces and control characters (Netty's rule: an empty element after a last comma is not looked at).
     */
    static boolean listContains(CharSequence list, CharSequence expected, boolean ignoreCase) {
        if (expected == null) {
            return false;
        }
        int length = list.length();
        int start = 0;
        for (int i = 0; i < length; i++) {
            if (list.charAt(i) == ',') {
                if (trimmedEquals(list, start, i, expected, ignoreCase)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return (start == 0 || start < length) && trimmedEquals(list, start, length, expected, ignoreCase);
    }

    private static boolean trimmedEquals(CharSequence s, int start, int end, CharSequence expected, boolean ignoreCase) {
        while (start < end && s.charAt(start) <= ' ') {
            start++;
        }
        while (end > start && s.charAt(end - 1) <= ' ') {
            end--;
        }
        int n = end - start;
        if (n != expected.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char a = s.charAt(start + i);
            char b = expected.charAt(i);
            if (a != b && (!ignoreCase || lower(a) != lower(b))) {
                return false;
            }
        }
        return true;
    }

    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }

    /** An entry of {@link #iterator()} / {@link #entries()}; {@code setValue} writes through while its field is in place. */
    private final class StringField implements Map.Entry<String, String> {
        private final int field;
        private final CharSequence rawName;
        private CharSequence rawValue;
        private final String name;
        private String value;

        StringField(int field) {
            this.field = field;
            this.rawName = fields[field << 1];
            this.rawValue = fields[(field << 1) + 1];
            this.name = rawName.toString();
            this.value = rawValue.toString();
        }

        @Override
        public String getKey() {
            return name;
        }

        @Override
        public String getValue() {
            return value;
        }

        /** As Netty's entries: not validated. */
        @Override
        public String setValue(String newValue) {
            Objects.requireNonNull(newValue, "value");
            String old = value;
            int at = field << 1;
            if (field < size && fields[at] == rawName && fields[at + 1] == rawValue) {
                fields[at + 1] = newValue;
            }
            rawValue = newValue;
            value = newValue;
            return old;
        }

        @Override
        public String toString() {
            return name + '=' + value;
        }
    }

    /** {@link #iteratorCharSequence()}: the iterator is the entry of the field it last returned. */
    private final class FieldIterator implements Iterator<Map.Entry<CharSequence, CharSequence>>,
            Map.Entry<CharSequence, CharSequence> {
        private int next;
        private CharSequence key;
        private CharSequence value;

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public Map.Entry<CharSequence, CharSequence> next() {
            if (next >= size) {
                throw new NoSuchElementException();
            }
            int at = next++ << 1;
            key = fields[at];
            value = fields[at + 1];
            return this;
        }

        @Override
        public void remove() {
            throw new UnsupportedOperationException("read only");
        }

        @Override
        public CharSequence getKey() {
            return key;
        }

        @Override
        public CharSequence getValue() {
            return value;
        }

        /** As Netty's entries: not validated; written through while the field is in place. */
        @Override
        public CharSequence setValue(CharSequence newValue) {
            Objects.requireNonNull(newValue, "value");
            if (key == null) {
                throw new IllegalStateException();
            }
            CharSequence old = value;
            int at = (next - 1) << 1;
            if (next <= size && fields[at] == key && fields[at + 1] == old) {
                fields[at + 1] = newValue;
            }
            value = newValue;
            return old;
        }

        @Override
        public String toString() {
            return key + "=" + value;
        }
    }

    /** The values of one name, last added first; {@code remove()} removes the one last returned. */
    private final class ValueIterator<T extends CharSequence> implements Iterator<T> {
        private final CharSequence name;
        private final boolean asString;
        /** The field of the next value, -1 when there is none. */
        private int nextField;
        /** The field last returned, -1 when none (or removed). */
        private int current = -1;

        ValueIterator(CharSequence name, boolean asString) {
            checkName(name);
            this.name = name;
            this.asString = asString;
            this.nextField = findBefore(size);
        }

        private int findBefore(int field) {
            for (int i = field - 1; i >= 0; i--) {
                if (sameName(fields[i << 1], name)) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public boolean hasNext() {
            return nextField >= 0;
        }

        @Override
        @SuppressWarnings("unchecked")
        public T next() {
            if (nextField < 0) {
                throw new NoSuchElementException();
            }
            current = nextField;
            nextField = findBefore(current);
            CharSequence v = fields[(current << 1) + 1];
            return (T) (asString ? v.toString() : v);
        }

        @Override
        public void remove() {
            if (current < 0) {
                throw new IllegalStateException();
            }
            // The fields still to return are before this one: their places do not move.
            removeAt(current);
            current = -1;
        }
    }

    /** {@link #names()}. */
    private final class NameSet extends AbstractSet<String> {

        @Override
        public int size() {
            int distinct = 0;
            for (int i = 0, n = size << 1; i < n; i += 2) {
                if (isFirstSpelling(i)) {
                    distinct++;
                }
            }
            return distinct;
        }

        @Override
        public boolean isEmpty() {
            return FlatHttpHeaders.this.isEmpty();
        }

        @Override
        public boolean contains(Object o) {
            return FlatHttpHeaders.this.contains(o.toString());
        }

        @Override
        public Iterator<String> iterator() {
            List<String> names = new ArrayList<>(size);
            for (int i = 0, n = size << 1; i < n; i += 2) {
                if (isFirstSpelling(i)) {
                    names.add(fields[i].toString());
                }
            }
            return names.iterator();
        }

        private boolean isFirstSpelling(int i) {
            for (int j = 0; j < i; j += 2) {
                if (fields[j].equals(fields[i])) {
                    return false;
                }
            }
            return true;
        }
    }
}
