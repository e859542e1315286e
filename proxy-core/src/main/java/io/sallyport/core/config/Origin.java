package io.sallyport.core.config;

import java.util.Map;
import java.util.Objects;

/**
 * Where a resource came from: its file, the line its document starts on, and the line of every field
 * by its path, so a validation error can point at the exact line.
 *
 * <p>Field paths are dotted from the document root with list indexes in brackets, exactly as errors
 * print them: {@code spec.endpoints[0].port}, {@code spec.tls.verification.caCert.inline}.
 */
public record Origin(String file, int line, Map<String, Integer> fieldLines) {

    public Origin {
        Objects.requireNonNull(file, "file");
        fieldLines = Map.copyOf(fieldLines);
    }

    /** An origin for resources built in code (tests, defaults) rather than read from a file. */
    public static Origin synthetic(String name) {
        return new Origin(name, 0, Map.of());
    }

    /**
     * The line of {@code path}, else of its closest recorded parent, else the document's first line.
     */
    public int lineOf(String path) {
        String p = path;
        while (true) {
            Integer l = fieldLines.get(p);
            if (l != null) {
                return l;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            if (cut <= 0) {
                return line;
            }
            p = p.substring(0, cut);
        }
    }
}
