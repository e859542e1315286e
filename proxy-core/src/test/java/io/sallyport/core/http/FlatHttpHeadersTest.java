package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TimeZone;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link FlatHttpHeaders} against the {@code HttpHeaders} contract as Netty's {@code DefaultHttpHeaders} fulfils
 * it: every scenario runs on both, and everything observable (fields in order, lookups, value iterators, typed
 * getters, names, exceptions and their messages) must be the same after each step.
 */
class FlatHttpHeadersTest {

    private static final HttpHeadersFactory NETTY = DefaultHttpHeadersFactory.headersFactory();
    private static final HttpHeadersFactory FLAT = FlatHttpHeadersFactory.HEADERS;

    /** Names every snapshot looks up, in several spellings. */
    private static final List<CharSequence> PROBES = List.of("a", "A", "b", "Host", "HOST", "connection",
            HttpHeaderNames.CONNECTION, "x-list", "n", "s", "date", "missing", "content-length", "X-Many");

    /** Everything observable about {@code h}, as text (exceptions by class and message). */
    private static List<String> snapshot(HttpHeaders h) {
        List<String> s = new ArrayList<>();
        s.add("size=" + h.size() + " empty=" + h.isEmpty());
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            s.add("field " + e.getKey() + ": " + e.getValue());
        }
        for (Map.Entry<String, String> e : h) {
            s.add("string field " + e.getKey() + ": " + e.getValue());
        }
        for (Map.Entry<String, String> e : h.entries()) {
            s.add("entry " + e.getKey() + ": " + e.getValue());
        }
        s.add("names " + new ArrayList<>(h.names()) + " " + h.names().size());
        s.add("toString " + h.toString().substring(h.toString().indexOf('[')));
        for (CharSequence p : PROBES) {
            s.add(p + " get=" + h.get(p) + " getAsString=" + h.getAsString(p) + " default=" + h.get(p, "dflt")
                    + " all=" + h.getAll(p) + " allAsString=" + h.getAllAsString(p) + " contains=" + h.contains(p)
                    + " containsString=" + h.contains(p.toString()) + " names.contains=" + h.names().contains(p)
                    + " values=" + values(h.valueStringIterator(p)) + " cs=" + values(h.valueCharSequenceIterator(p))
                    + " int=" + h.getInt(p) + "/" + h.getInt(p, -7) + " short=" + h.getShort(p) + "/"
                    + h.getShort(p, (short) -7) + " millis=" + call(() -> h.getTimeMillis(p)) + "/"
                    + call(() -> h.getTimeMillis(p, -7L)));
            for (String v : List.of("1", "keep-alive", "KEEP-ALIVE", "close", "b", "", "x")) {
                s.add(p + "=" + v + " " + h.contains(p, v, false) + h.contains(p, v, true)
                        + h.contains(p.toString(), v, true) + h.containsValue(p, v, false) + h.containsValue(p, v, true));
            }
        }
        return s;
    }

    private static String values(Iterator<? extends CharSequence> it) {
        List<String> v = new ArrayList<>();
        while (it.hasNext()) {
            v.add(it.next().toString());
        }
        return v.toString();
    }

    private static String call(java.util.concurrent.Callable<?> c) {
        try {
            return String.valueOf(c.call());
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    /** Applies {@code step} to both and compares what it threw and then everything observable. */
    private static void same(HttpHeaders netty, HttpHeaders flat, String what, Consumer<HttpHeaders> step) {
        String nettyOutcome = outcome(netty, step);
        String flatOutcome = outcome(flat, step);
        assertThat(flatOutcome).as(what).isEqualTo(nettyOutcome);
        assertThat(snapshot(flat)).as(what).isEqualTo(snapshot(netty));
    }

    private static String outcome(HttpHeaders h, Consumer<HttpHeaders> step) {
        try {
            step.accept(h);
            return "ok";
        } catch (NullPointerException e) {
            return e.getClass().getName(); // the JDK's helpful messages name local variables
        } catch (RuntimeException e) {
            Throwable c = e.getCause();
            return e.getClass().getName() + ": " + e.getMessage()
                    + (c == null ? "" : " / " + c.getClass().getName() + ": " + c.getMessage());
        }
    }

    static Stream<Arguments> scenarios() {
        return Stream.of(
                Arguments.of("add and get, names in any case", List.<Consumer<HttpHeaders>>of(
                        h -> h.add("A", "1"), h -> h.add("b", "x"), h -> h.add("a", "2"),
                        h -> h.add(new AsciiString("A"), "3"), h -> h.add("Host", "example.com"))),
                Arguments.of("set replaces every value and moves the name to the end", List.<Consumer<HttpHeaders>>of(
                        h -> h.add("a", "1"), h -> h.add("b", "2"), h -> h.add("A", "3"), h -> h.add("host", "h"),
                        h -> h.set("a", "4"), h -> h.set(HttpHeaderNames.HOST, "g"), h -> h.set("new", "n"))),
                Arguments.of("remove in the middle, at the ends, and absent names", List.<Consumer<HttpHeaders>>of(
                        h -> h.add("host", "h"), h -> h.add("a", "1"), h -> h.add("b", "2"), h -> h.add("a", "3"),
                        h -> h.add("x-list", "v"), h -> h.remove("A"), h -> h.remove("missing"),
                        h -> h.remove(new AsciiString("HOST")), h -> h.remove("x-list"), h -> h.remove("b"))),
                Arguments.of("grows beyond its first array", List.<Consumer<HttpHeaders>>of(h -> {
                    for (int i = 0; i < 40; i++) {
                        h.add("X-Many", Integer.toString(i));
                        h.add("f" + i, "v" + i);
                    }
                }, h -> h.remove("x-many"), h -> h.set("f7", "again"), h -> h.clear(), h -> h.add("a", "after"))),
                Arguments.of("comma-separated lists", List.<Consumer<HttpHeaders>>of(
                        h -> h.add("connection", "Upgrade , keep-alive"), h -> h.add("connection", "x ,close,"),
                        h -> h.add("x-list", ""), h -> h.add("x-list", ",b"), h -> h.add("b", " b\t"),
                        h -> h.add("b", "a,,x"))),
                Arguments.of("typed values", List.<Consumer<HttpHeaders>>of(
                        h -> h.addInt("n", 42), h -> h.addInt("n", -1), h -> h.setShort("s", (short) 7),
                        h -> h.addShort("s", (short) 8), h -> h.add("date", "Wed, 21 Oct 2015 07:28:00 GMT"),
                        h -> h.add("date", "garbage"), h -> h.setInt("a", 1), h -> h.add("content-length", 12L),
                        h -> h.set("b", new Date(1_000_000_000_000L)), h -> h.add("host", calendar()),
                        h -> h.add("x-list", new StringBuilder("sb")), h -> h.set("s", "99999"),
                        h -> h.set("n", "x1"))),
                Arguments.of("iterables", List.<Consumer<HttpHeaders>>of(
                        h -> h.add("a", List.of("1", "2")), h -> h.add("b", List.of()),
                        h -> h.set("a", Arrays.asList("3", null, "4")), h -> h.add("x-list", Arrays.asList("5", null, "6")),
                        h -> h.set(new AsciiString("b"), List.of("7", 8)), h -> h.set("host", List.of()),
                        h -> h.add(new AsciiString("n"), List.of(1, 2)))),
                Arguments.of("bad names and values fail the same way", List.<Consumer<HttpHeaders>>of(
                        h -> h.add("a", "1"), h -> h.add("b c", "1"), h -> h.add("", "1"), h -> h.add((String) null, "1"),
                        h -> h.add("ok", "bad\nvalue"), h -> h.add("ok", (Object) null), h -> h.set("a", (Object) null),
                        h -> h.set("b\u00e9", "1"), h -> h.set("ok", " leading"), h -> h.add("a", (Iterable<?>) null),
                        h -> h.set("a", (Iterable<?>) null), h -> h.get((String) null), h -> h.getAll((CharSequence) null),
                        h -> h.remove((String) null), h -> h.contains((CharSequence) null),
                        h -> h.valueStringIterator(null), h -> h.containsValue(null, "x", true),
                        h -> h.set("a", List.of("ok", "bad\r")), h -> h.add("x-list", List.of("ok", "\u0000")))),
                Arguments.of("value iterators remove what they returned", List.<Consumer<HttpHeaders>>of(
                        h -> h.add("a", "1"), h -> h.add("b", "x"), h -> h.add("A", "2"), h -> h.add("a", "3"),
                        h -> {
                            Iterator<String> it = h.valueStringIterator("a");
                            it.next();
                            it.remove();
                            it.next();
                        },
                        h -> {
                            Iterator<? extends CharSequence> it = h.valueCharSequenceIterator("A");
                            it.next();
                            it.remove();
                            it.remove();
                        },
                        h -> h.valueStringIterator("b").remove(),
                        h -> {
                            Iterator<String> it = h.valueStringIterator("missing");
                            it.next();
                        })),
                Arguments.of("read-only views", List.<Consumer<HttpHeaders>>of(
                        h -> h.add("a", "1"), h -> h.add("a", "2"), h -> h.getAll("a").add("3"),
                        h -> h.getAll("a").remove(0), h -> h.names().add("b"), h -> h.names().remove("a"),
                        h -> {
                            Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence();
                            it.next();
                            it.remove();
                        },
                        h -> {
                            Iterator<Map.Entry<String, String>> it = h.iterator();
                            it.next();
                            it.remove();
                        },
                        h -> h.iteratorCharSequence().next().getKey(), h -> h.entries().clear())),
                Arguments.of("entries write through (unvalidated, as Netty's)", List.<Consumer<HttpHeaders>>of(
                        h -> h.add("a", "1"), h -> h.add("b", "2"), h -> h.iterator().next().setValue("one"),
                        h -> h.entries().get(1).setValue("two"), h -> h.iteratorCharSequence().next().setValue("uno"),
                        h -> h.iterator().next().setValue(null))),
                Arguments.of("copying between maps", List.<Consumer<HttpHeaders>>of(
                        h -> h.add("a", "1"), h -> h.add(other()), h -> h.add(h), h -> h.set(h),
                        h -> h.setAll(other()), h -> h.set(other()), h -> h.add((HttpHeaders) null),
                        h -> h.set((HttpHeaders) null), h -> h.add(h.copy()))));
    }

    /** Fields from a third map (Netty's), for add/set/setAll of another object. */
    private static HttpHeaders other() {
        return NETTY.newHeaders().add("b", "x").add("A", "y").add("b", "z");
    }

    private static Calendar calendar() {
        Calendar c = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
        c.setTimeInMillis(1_500_000_000_000L);
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void behavesAsNettysDefaultHeaders(String name, List<Consumer<HttpHeaders>> steps) {
        HttpHeaders netty = NETTY.newHeaders();
        HttpHeaders flat = FLAT.newHeaders();
        assertThat(flat).isInstanceOf(FlatHttpHeaders.class);
        same(netty, flat, "empty", h -> { });
        for (int i = 0; i < steps.size(); i++) {
            same(netty, flat, name + ", step " + i, steps.get(i));
        }
    }

    @Test
    void randomEditsStayInStepWithNettysDefaultHeaders() {
        String[] names = {"a", "A", "Host", "connection", "Connection", "x-list", "X-LIST", "n", "date"};
        String[] values = {"1", "2", "keep-alive", "close, Upgrade", "x", "a,b", ""};
        Random random = new Random(20261122);
        HttpHeaders netty = NETTY.newHeaders();
        HttpHeaders flat = FLAT.newHeaders();
        for (int step = 0; step < 1500; step++) {
            String n = names[random.nextInt(names.length)];
            String v = values[random.nextInt(values.length)];
            int op = random.nextInt(10);
            int number = step;
            Consumer<HttpHeaders> edit = switch (op) {
                case 0, 1, 2 -> h -> h.add(n, v);
                case 3 -> h -> h.set(n, v);
                case 4 -> h -> h.remove(n);
                case 5 -> h -> h.addInt(n, number);
                case 6 -> h -> h.set(n, List.of(v, v + "2"));
                case 7 -> h -> {
                    Iterator<String> it = h.valueStringIterator(n);
                    if (it.hasNext()) {
                        it.next();
                        it.remove();
                    }
                };
                case 8 -> h -> h.add(new AsciiString(n), List.of(v));
                default -> number % 97 == 0 ? HttpHeaders::clear : h -> h.contains(n);
            };
            same(netty, flat, "step " + step + " op " + op + " " + n + "=" + v, edit);
        }
    }

    @Test
    void copiesAreIndependentAndEqual() {
        HttpHeaders h = FLAT.newHeaders().add("a", "1").add("B", "2").add("a", "3");
        HttpHeaders copy = h.copy();
        assertThat(copy).isInstanceOf(FlatHttpHeaders.class).isEqualTo(h).hasSameHashCodeAs(h);
        copy.add("c", "4");
        copy.set("a", "9");
        assertThat(h.getAll("a")).containsExactly("1", "3");
        assertThat(h.contains("c")).isFalse();
        assertThat(copy).isNotEqualTo(h);
        // The copy validates as its original did.
        assertThatThrownBy(() -> copy.add("bad name", "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void equalityIgnoresNameCaseAndTheOrderOfNamesButNotOfValues() {
        HttpHeaders a = FLAT.newHeaders().add("a", "1").add("b", "2").add("a", "3");
        HttpHeaders b = FLAT.newHeaders().add("B", "2").add("A", "1").add("a", "3");
        HttpHeaders c = FLAT.newHeaders().add("b", "2").add("a", "3").add("a", "1");
        HttpHeaders d = FLAT.newHeaders().add("b", "2").add("a", "1").add("c", "3");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(c).isNotEqualTo(d).isNotEqualTo(NETTY.newHeaders().add(a));
        assertThat(FLAT.newHeaders()).isEqualTo(FLAT.newEmptyHeaders()).hasSameHashCodeAs(FLAT.newEmptyHeaders());
    }

    @Test
    void theCharSequenceIteratorIsItsOwnEntryAndShowsTheFieldsAsStored() {
        AsciiString name = AsciiString.cached("x-shared");
        HttpHeaders h = FLAT.newHeaders().add(name, HttpHeaderValues.KEEP_ALIVE).add("b", "2");
        Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence();
        Map.Entry<CharSequence, CharSequence> first = it.next();
        assertThat(first.getKey()).isSameAs(name);
        assertThat(first.getValue()).isSameAs(HttpHeaderValues.KEEP_ALIVE);
        assertThat(first.toString()).isEqualTo("x-shared=keep-alive");
        Map.Entry<CharSequence, CharSequence> second = it.next();
        assertThat(second.getKey().toString()).isEqualTo("b");
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(java.util.NoSuchElementException.class);
        // Entries of iterator() and entries() are their own objects.
        List<Map.Entry<String, String>> entries = h.entries();
        assertThat(entries.get(0)).isNotSameAs(entries.get(1));
        assertThat(entries).extracting(Map.Entry::getKey).containsExactly("x-shared", "b");
    }

    @Test
    void setAllFromItselfChangesNothing() {
        // (Netty's DefaultHttpHeaders does not guard this case.)
        HttpHeaders h = FLAT.newHeaders().add("a", "1").add("b", "2").add("a", "3");
        h.setAll(h);
        assertThat(h.entries()).extracting(Map.Entry::getValue).containsExactly("1", "2", "3");
        h.setAll(NETTY.newHeaders().add("A", "4").add("c", "5"));
        assertThat(h.entries()).extracting(Map.Entry::getKey).containsExactly("b", "A", "c");
    }

    @Test
    void anEntryOfAMovedFieldNoLongerWritesThrough() {
        HttpHeaders h = FLAT.newHeaders().add("a", "1").add("b", "2");
        Map.Entry<String, String> a = h.entries().get(0);
        h.remove("a");
        a.setValue("changed");
        assertThat(a.getValue()).isEqualTo("changed");
        assertThat(h.get("b")).isEqualTo("2");
        assertThat(h.contains("a")).isFalse();
    }

    @Test
    void namesIsALiveCaseInsensitiveView() {
        HttpHeaders h = FLAT.newHeaders().add("Host", "h").add("host", "g").add("a", "1");
        var names = h.names();
        assertThat(names).containsExactly("Host", "host", "a");
        assertThat(names.contains("HOST")).isTrue();
        h.remove("host");
        assertThat(names).containsExactly("a");
        assertThat(names.isEmpty()).isFalse();
    }

    @Test
    void anEmptyMapHasNoArrayAndAddsAfterClear() {
        HttpHeaders h = FLAT.newEmptyHeaders();
        assertThat(h.isEmpty()).isTrue();
        assertThat(h.entries()).isEmpty();
        assertThat(h.getAll("a")).isEmpty();
        assertThat(h.names()).isEmpty();
        assertThat(h.iteratorCharSequence().hasNext()).isFalse();
        assertThat(h.clear().add("a", "1").size()).isEqualTo(1);
    }

    @Test
    void listContainsFollowsNettysSplitting() {
        assertThat(FlatHttpHeaders.listContains("a, b ,c", "b", false)).isTrue();
        assertThat(FlatHttpHeaders.listContains("a, B ,c", "b", false)).isFalse();
        assertThat(FlatHttpHeaders.listContains("a, B ,c", "b", true)).isTrue();
        assertThat(FlatHttpHeaders.listContains("a,", "", false)).isFalse();
        assertThat(FlatHttpHeaders.listContains("a,,b", "", false)).isTrue();
        assertThat(FlatHttpHeaders.listContains("", "", false)).isTrue();
        assertThat(FlatHttpHeaders.listContains(" \t", "", false)).isTrue();
        assertThat(FlatHttpHeaders.listContains("close", null, true)).isFalse();
    }
}
