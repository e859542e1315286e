package io.sallyport.core.config;

/**
 * One validation error, printed as {@code FILE:LINE: <Kind>/<name>: <field path>: <message>}.
 * Errors that belong to no resource (a YAML syntax error, an unreadable file) print {@code -} for the
 * resource and the path.
 */
public record ConfigError(String file, int line, String resource, String path, String message)
        implements Comparable<ConfigError> {

    /** An error at {@code path} of resource {@code meta}, with the line looked up in its origin. */
    public static ConfigError at(ResourceMeta meta, String path, String message) {
        return new ConfigError(meta.origin().file(), meta.origin().lineOf(path), meta.ref(), path, message);
    }

    @Override
    public String toString() {
        return file + ":" + line + ": " + (resource == null ? "-" : resource) + ": "
                + (path == null || path.isEmpty() ? "-" : path) + ": " + message;
    }

    @Override
    public int compareTo(ConfigError o) {
        int c = file.compareTo(o.file);
        return c != 0 ? c : Integer.compare(line, o.line);
    }
}
