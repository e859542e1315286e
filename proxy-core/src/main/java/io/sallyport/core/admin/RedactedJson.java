package io.sallyport.core.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sallyport.core.config.DataSource;
import io.sallyport.core.config.Origin;
import io.sallyport.core.config.Protocol;
import io.sallyport.core.config.ResourceMeta;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.temporal.TemporalAccessor;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Renders config records as JSON trees for {@code /config_dump}, walking record components (so records
 * added later are dumped without changes here) and redacting every secret on the way: inline data
 * sources, any {@code byte[]} or {@link java.security.Key}, and text fields whose name says key, secret,
 * password or token. Objects that are neither records, collections nor plain values are shown by class
 * name only.
 * File paths and Secret names stay visible: they say where a secret is, not what it is.
 */
final class RedactedJson {

    static final String REDACTED = "[redacted]";
    private static final String[] SECRET_NAME_PARTS = {"key", "secret", "password", "token", "pem"};

    private final JsonNodeFactory nodes = JsonNodeFactory.instance;

    /** The JSON for {@code value}; {@code fieldName} (may be null) decides name-based redaction. */
    JsonNode toJson(String fieldName, Object value) {
        if (value == null) {
            return nodes.nullNode();
        }
        if (value instanceof byte[] || value instanceof char[] || value instanceof java.security.Key
                || value instanceof javax.net.ssl.KeyManagerFactory || value instanceof java.security.KeyStore) {
            return nodes.textNode(REDACTED);
        }
        if (value instanceof DataSource ds) {
            return dataSource(ds);
        }
        if (value instanceof CharSequence s) {
            return looksSecret(fieldName) ? nodes.textNode(REDACTED) : nodes.textNode(s.toString());
        }
        if (value instanceof Boolean b) {
            return nodes.booleanNode(b);
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return nodes.numberNode(((Number) value).longValue());
        }
        if (value instanceof Number n) {
            return nodes.numberNode(n.doubleValue());
        }
        if (value instanceof Protocol p) {
            return nodes.textNode(p.yamlName());
        }
        if (value instanceof Enum<?> e) {
            return nodes.textNode(e.name());
        }
        if (value instanceof Duration d) {
            return nodes.textNode(formatDuration(d));
        }
        if (value instanceof TemporalAccessor t) {
            return nodes.textNode(t.toString());
        }
        if (value instanceof Optional<?> o) {
            return toJson(fieldName, o.orElse(null));
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode obj = nodes.objectNode();
            Map<String, Object> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
            sorted.forEach((k, v) -> obj.set(k, looksSecret(fieldName) ? nodes.textNode(REDACTED) : toJson(k, v)));
            return obj;
        }
        if (value instanceof Collection<?> list) {
            ArrayNode arr = nodes.arrayNode();
            for (Object item : list) {
                arr.add(toJson(fieldName, item));
            }
            return arr;
        }
        if (value.getClass().isRecord()) {
            return record(value);
        }
        if (value instanceof java.net.InetSocketAddress a) {
            return nodes.textNode(ConfigListing.hostPort(a.getHostString(), a.getPort()));
        }
        if (value instanceof java.net.InetAddress a) {
            return nodes.textNode(a.getHostAddress());
        }
        if (value instanceof java.net.URI || value instanceof java.nio.file.Path || value instanceof UUID) {
            return nodes.textNode(value.toString());
        }
        // Any other object is named, not printed: its toString() could carry key material.
        return nodes.textNode("<" + value.getClass().getSimpleName() + ">");
    }

    private ObjectNode record(Object rec) {
        ObjectNode obj = nodes.objectNode();
        for (RecordComponent c : rec.getClass().getRecordComponents()) {
            Class<?> type = c.getType();
            if (type == ResourceMeta.class || type == Origin.class) {
                continue; // printed once at the resource level
            }
            obj.set(c.getName(), toJson(c.getName(), read(c, rec)));
        }
        return obj;
    }

    private static Object read(RecordComponent c, Object rec) {
        try {
            Method accessor = c.getAccessor();
            if (!accessor.canAccess(rec)) {
                accessor.setAccessible(true);
            }
            return accessor.invoke(rec);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "[unreadable: " + e.getClass().getSimpleName() + "]";
        }
    }

    private ObjectNode dataSource(DataSource ds) {
        ObjectNode obj = nodes.objectNode();
        if (ds instanceof DataSource.Inline) {
            obj.put("inline", REDACTED);
        } else if (ds instanceof DataSource.InlineString) {
            obj.put("inlineString", REDACTED);
        } else if (ds instanceof DataSource.SecretRef s) {
            obj.put("secret", s.name());
        } else if (ds instanceof DataSource.FileRef f) {
            obj.put("file", f.path());
        } else {
            obj.put("value", REDACTED);
        }
        return obj;
    }

    private static boolean looksSecret(String fieldName) {
        if (fieldName == null) {
            return false;
        }
        String n = fieldName.toLowerCase(Locale.ROOT);
        for (String part : SECRET_NAME_PARTS) {
            if (n.contains(part)) {
                return true;
            }
        }
        return false;
    }

    /** Kuma's duration spelling: {@code 5s}, {@code 1h30m}, {@code 250ms}, {@code 0s}. */
    static String formatDuration(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder b = new StringBuilder();
        if (d.isNegative()) {
            b.append('-');
            d = d.negated();
        }
        long h = d.toHours();
        int m = d.toMinutesPart();
        int s = d.toSecondsPart();
        int ms = d.toMillisPart();
        if (h > 0) {
            b.append(h).append('h');
        }
        if (m > 0) {
            b.append(m).append('m');
        }
        if (s > 0) {
            b.append(s).append('s');
        }
        if (ms > 0) {
            b.append(ms).append("ms");
        }
        if (b.length() == 0 || b.toString().equals("-")) {
            b.append(d.toNanos()).append("ns");
        }
        return b.toString();
    }
}
