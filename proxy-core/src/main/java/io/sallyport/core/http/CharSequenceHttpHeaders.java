package io.sallyport.core.http;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * An {@link HttpHeaders} implemented on {@link CharSequence} names: its {@code String}-named methods pass the
 * name on as it is. {@code HttpHeaders}' own defaults go the other way (every {@code CharSequence} name turned
 * into a new {@code String}), which for headers keyed by Netty's shared {@code AsciiString} names would be an
 * allocation per lookup.
 */
abstract class CharSequenceHttpHeaders extends HttpHeaders {

    @Override
    public final String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public abstract String get(CharSequence name);

    @Override
    public final List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    @Override
    public abstract List<String> getAll(CharSequence name);

    @Override
    public final boolean contains(String name) {
        return contains((CharSequence) name);
    }

    @Override
    public abstract boolean contains(CharSequence name);

    @Override
    public final boolean contains(String name, String value, boolean ignoreCase) {
        return contains((CharSequence) name, value, ignoreCase);
    }

    @Override
    public abstract boolean contains(CharSequence name, CharSequence value, boolean ignoreCase);

    @Override
    public final HttpHeaders add(String name, Object value) {
        return add((CharSequence) name, value);
    }

    @Override
    public abstract HttpHeaders add(CharSequence name, Object value);

    @Override
    public final HttpHeaders add(String name, Iterable<?> values) {
        return add((CharSequence) name, values);
    }

    /** Adds each value in turn; a null one fails (with a {@link NullPointerException}) after those before it. */
    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        for (Object v : values) {
            add(name, v);
        }
        return this;
    }

    @Override
    public final HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public abstract HttpHeaders set(CharSequence name, Object value);

    @Override
    public final HttpHeaders set(String name, Iterable<?> values) {
        return set((CharSequence) name, values);
    }

    @Override
    public abstract HttpHeaders set(CharSequence name, Iterable<?> values);

    @Override
    public final HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public abstract HttpHeaders remove(CharSequence name);
}
