package io.sallyport.core.config;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Typed, error-collecting access to one YAML mapping: every read checks the value's type and reports
 * a mistake as a {@link ConfigError} at the field's path and line instead of throwing, so one pass
 * finds every error in a document.
 *
 * <p>Paths are built exactly as {@link Origin} records them ({@code spec.endpoints[0].port}).
 */
final class MapReader {

    private final Diagnostics diag;
    private final String path;
    private final int line;
    private final Map<String, NodeTuple> fields;

    private MapReader(Diagnostics diag, String path, int line, Map<String, NodeTuple> fields) {
        this.diag = diag;
        this.path = path;
        this.line = line;
        this.fields = fields;
    }

    /**
     * A reader over {@code node}; a {@code null} or YAML-null node reads as an empty mapping, any other
     * non-mapping is reported as {@code must be a map} and reads as empty.
     */
    static MapReader of(Diagnostics diag, Node node, String path, int line) {
        Map<String, NodeTuple> fields = new LinkedHashMap<>();
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                Node k = t.getKeyNode();
                int keyLine = lineOf(k);
                if (!(k instanceof ScalarNode ks) || ks.getTag() == Tag.NULL) {
                    diag.error(path.isEmpty() ? "-" : path, keyLine, "field names must be strings");
                    continue;
                }
                String name = ks.getValue();
                if (fields.containsKey(name)) {
                    diag.error(join(path, name), keyLine, "duplicate field \"" + name + "\"");
                    continue;
                }
                fields.put(name, t);
            }
        } else if (node != null && !isNull(node)) {
            diag.error(path.isEmpty() ? "-" : path, line, "must be a map");
        }
        return new MapReader(diag, path, line, fields);
    }

    static int lineOf(Node n) {
        return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
    }

    static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    static boolean isNull(Node n) {
        return n instanceof ScalarNode s && s.getTag() == Tag.NULL;
    }

    Diagnostics diagnostics() {
        return diag;
    }

    String path() {
        return path;
    }

    int line() {
        return line;
    }

    /** The path of a child field. */
    String path(String field) {
        return join(path, field);
    }

    /** The line of a child field's key, else this mapping's line. */
    int line(String field) {
        NodeTuple t = fields.get(field);
        return t == null ? line : lineOf(t.getKeyNode());
    }

    Set<String> names() {
        return fields.keySet();
    }

    /** Reports every field not in {@code allowed}, suggesting the closest allowed name. */
    MapReader allow(String... allowed) {
        List<String> valid = List.of(allowed);
        for (String name : fields.keySet()) {
            if (!valid.contains(name)) {
                String hint = NameSuggester.closest(name, valid);
                diag.error(path(name), line(name), "unknown field \"" + name + "\""
                        + (hint == null ? "" : "; did you mean \"" + hint + "\"?"));
            }
        }
        return this;
    }

    /** True when the field is present with a non-null value. */
    boolean has(String field) {
        NodeTuple t = fields.get(field);
        return t != null && !isNull(t.getValueNode());
    }

    /** True when the field is present at all (even as {@code null}). */
    boolean present(String field) {
        return fields.containsKey(field);
    }

    Node node(String field) {
        NodeTuple t = fields.get(field);
        return t == null || isNull(t.getValueNode()) ? null : t.getValueNode();
    }

    void error(String field, String message) {
        diag.error(path(field), line(field), message);
    }

    void errorHere(String message) {
        diag.error(path.isEmpty() ? "-" : path, line, message);
    }

    /** A required field that is absent gets {@code must be set}; returns whether it is present. */
    boolean require(String field) {
        if (!has(field)) {
            error(field, "must be set");
            return false;
        }
        return true;
    }

    /** A scalar read as text; {@code null} when absent or not a scalar (reported). */
    String string(String field) {
        Node n = node(field);
        if (n == null) {
            return null;
        }
        if (n instanceof ScalarNode s) {
            return s.getValue();
        }
        error(field, "must be a string");
        return null;
    }

    String requiredString(String field) {
        if (!require(field)) {
            return null;
        }
        String s = string(field);
        if (s != null && s.isEmpty()) {
            error(field, "must not be empty");
            return null;
        }
        return s;
    }

    /** A string that must be one of {@code allowed}; {@code null} when absent or invalid (reported). */
    String oneOf(String field, List<String> allowed) {
        String s = string(field);
        if (s != null && !allowed.contains(s)) {
            error(field, "must be one of " + String.join(", ", allowed) + ", got \"" + s + "\"");
            return null;
        }
        return s;
    }

    /** An integer; {@code null} when absent or not an integer (reported). */
    Long longValue(String field) {
        Node n = node(field);
        if (n == null) {
            return null;
        }
        Long v = n instanceof ScalarNode s && s.getTag() == Tag.INT ? parseInteger(s.getValue()) : null;
        if (v == null) {
            error(field, "must be an integer");
        }
        return v;
    }

    Integer integer(String field) {
        Long v = longValue(field);
        if (v == null) {
            return null;
        }
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            error(field, "must be an integer between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE);
            return null;
        }
        return v.intValue();
    }

    /** A TCP port 1–65535; {@code null} when absent or invalid (reported). */
    Integer port(String field) {
        Long v = longValue(field);
        if (v == null) {
            return null;
        }
        if (v < 1 || v > 65535) {
            error(field, "must be between 1 and 65535, got " + v);
            return null;
        }
        return v.intValue();
    }

    Boolean bool(String field) {
        Node n = node(field);
        if (n == null) {
            return null;
        }
        if (n instanceof ScalarNode s && s.getTag() == Tag.BOOL) {
            String v = s.getValue().toLowerCase(java.util.Locale.ROOT);
            return v.equals("true") || v.equals("yes") || v.equals("on") || v.equals("y");
        }
        error(field, "must be a boolean");
        return null;
    }

    boolean bool(String field, boolean dflt) {
        Boolean b = bool(field);
        return b == null ? dflt : b;
    }

    /** A nested mapping; {@code null} when absent, or when not a mapping (reported). */
    MapReader map(String field) {
        Node n = node(field);
        if (n == null) {
            return null;
        }
        if (!(n instanceof MappingNode)) {
            error(field, "must be a map");
            return null;
        }
        return MapReader.of(diag, n, path(field), line(field));
    }

    /** A nested mapping, or an empty reader when absent or invalid. */
    MapReader mapOrEmpty(String field) {
        MapReader m = map(field);
        return m != null ? m : MapReader.of(diag, null, path(field), line(field));
    }

    /** The items of a sequence with their paths; empty when absent or not a sequence (reported). */
    List<Item> list(String field) {
        Node n = node(field);
        if (n == null) {
            return List.of();
        }
        if (!(n instanceof SequenceNode seq)) {
            error(field, "must be a list");
            return List.of();
        }
        List<Item> out = new ArrayList<>();
        int i = 0;
        for (Node item : seq.getValue()) {
            out.add(new Item(path(field) + "[" + i + "]", lineOf(item), item));
            i++;
        }
        return out;
    }

    /** A sequence of mappings; items that are not mappings are reported and skipped. */
    List<MapReader> maps(String field) {
        List<MapReader> out = new ArrayList<>();
        for (Item item : list(field)) {
            if (item.node instanceof MappingNode) {
                out.add(MapReader.of(diag, item.node, item.path, item.line));
            } else {
                diag.error(item.path, item.line, "must be a map");
            }
        }
        return out;
    }

    /** A sequence of scalars as text; other items are reported and skipped. */
    List<String> strings(String field) {
        List<String> out = new ArrayList<>();
        for (Item item : list(field)) {
            if (item.node instanceof ScalarNode s && s.getTag() != Tag.NULL) {
                out.add(s.getValue());
            } else {
                diag.error(item.path, item.line, "must be a string");
            }
        }
        return out;
    }

    /** A mapping of scalars as text ({@code labels}, {@code tags}); empty when absent. */
    Map<String, String> stringMap(String field) {
        Map<String, String> out = new LinkedHashMap<>();
        MapReader m = map(field);
        if (m == null) {
            return out;
        }
        for (String k : m.names()) {
            String v = m.string(k);
            if (v != null) {
                out.put(k, v);
            } else if (!m.has(k)) {
                m.error(k, "must be a string");
            }
        }
        return out;
    }

    /** One item of a sequence. */
    record Item(String path, int line, Node node) {
    }

    /** YAML 1.1 integers as SnakeYAML resolves them: decimal, 0x hex, 0 octal, 0b binary, underscores. */
    static Long parseInteger(String text) {
        String s = text.replace("_", "");
        boolean negative = false;
        if (s.startsWith("-") || s.startsWith("+")) {
            negative = s.startsWith("-");
            s = s.substring(1);
        }
        int radix = 10;
        if (s.startsWith("0x")) {
            radix = 16;
            s = s.substring(2);
        } else if (s.startsWith("0b")) {
            radix = 2;
            s = s.substring(2);
        } else if (s.startsWith("0o")) {
            radix = 8;
            s = s.substring(2);
        } else if (s.length() > 1 && s.startsWith("0")) {
            radix = 8;
            s = s.substring(1);
        }
        if (s.isEmpty() || s.contains(":")) {
            return null;
        }
        try {
            BigInteger v = new BigInteger(s, radix);
            if (negative) {
                v = v.negate();
            }
            return v.bitLength() < 64 ? v.longValue() : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
