package io.sallyport.core.admin;

import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The admin API's table of (method, path) to handler. Registering a path again replaces its handler, which
 * is how a data-plane component takes over {@code /listeners} or {@code /clusters} from the defaults.
 * Safe to change while the server runs.
 */
public final class AdminRoutes {

    private final Map<String, Map<HttpMethod, AdminHandler>> byPath = new ConcurrentHashMap<>();
    private final Map<String, java.util.function.Supplier<?>> configDumpSections =
            new java.util.concurrent.ConcurrentSkipListMap<>();

    /**
     * Adds a top-level section to {@code /config_dump}, e.g. the certificates a component holds. The
     * supplier runs on the admin event loop for every dump: it must only read memory, and return
     * something Jackson can serialize (maps, lists, strings, numbers). Never keys or secrets.
     */
    public AdminRoutes configDumpSection(String name, java.util.function.Supplier<?> section) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(section, "section");
        configDumpSections.put(name, section);
        return this;
    }

    /** The contributed {@code /config_dump} sections by name, sorted. */
    public Map<String, java.util.function.Supplier<?>> configDumpSections() {
        return java.util.Collections.unmodifiableMap(configDumpSections);
    }

    /** Serves {@code method path} with {@code handler}, replacing any handler already there. */
    public AdminRoutes register(HttpMethod method, String path, AdminHandler handler) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(handler, "handler");
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/': " + path);
        }
        byPath.computeIfAbsent(path, p -> new ConcurrentHashMap<>()).put(method, handler);
        return this;
    }

    /** The registered paths, sorted, each with its methods (for the index page). */
    public Map<String, List<String>> paths() {
        Map<String, List<String>> out = new TreeMap<>();
        byPath.forEach((path, methods) -> {
            TreeSet<String> names = new TreeSet<>();
            methods.keySet().forEach(m -> names.add(m.name()));
            out.put(path, List.copyOf(names));
        });
        return out;
    }

    /** The handler for a request, or the 404/405 answer when there is none. */
    AdminResponse dispatch(AdminRequest request) throws Exception {
        Map<HttpMethod, AdminHandler> methods = byPath.get(request.path());
        if (methods == null || methods.isEmpty()) {
            return AdminResponse.text(404, "no such admin path: " + request.path() + "\n");
        }
        AdminHandler handler = methods.get(request.method());
        if (handler == null) {
            TreeSet<String> allowed = new TreeSet<>();
            methods.keySet().forEach(m -> allowed.add(m.name()));
            return AdminResponse.text(405, request.path() + " allows " + String.join(", ", allowed) + "\n");
        }
        return handler.handle(request);
    }

    /** The methods {@code path} accepts, for the {@code Allow} header; empty when unknown. */
    List<String> allowed(String path) {
        Map<HttpMethod, AdminHandler> methods = byPath.get(path);
        if (methods == null) {
            return List.of();
        }
        TreeSet<String> names = new TreeSet<>();
        methods.keySet().forEach(m -> names.add(m.name()));
        return List.copyOf(names);
    }
}
