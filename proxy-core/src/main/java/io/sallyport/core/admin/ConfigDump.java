package io.sallyport.core.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sallyport.core.config.Resource;
import io.sallyport.core.config.ResourceMeta;
import io.sallyport.core.runtime.ProxyType;
import io.sallyport.core.runtime.Snapshot;
import io.sallyport.core.runtime.SnapshotHolder;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The {@code /config_dump} document: the running snapshot's generation, what the compiler derived
 * ({@code compiled}: every other component of {@link Snapshot}), its resources (kind, name, mesh,
 * labels, origin, spec), the {@code --config} paths and the files read from them, and the outcome of the latest reload with its errors.
 * Every key, certificate and secret value is replaced by {@code "[redacted]"}.
 */
public final class ConfigDump {

    /** Jackson is loaded on the first dump, not at startup (hundreds of classes a sidecar may never need). */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        static final RedactedJson REDACTED = new RedactedJson();
    }

    private final ProxyType proxyType;
    private final List<String> configPaths;
    private final Supplier<List<String>> loadedFiles;

    /**
     * @param configPaths the {@code --config} paths as given
     * @param loadedFiles the files the running snapshot was read from (kept in memory: never list
     *                    directories on the admin event loop)
     */
    public ConfigDump(ProxyType proxyType, List<String> configPaths, Supplier<List<String>> loadedFiles) {
        this.proxyType = Objects.requireNonNull(proxyType, "proxyType");
        this.configPaths = List.copyOf(configPaths);
        this.loadedFiles = Objects.requireNonNull(loadedFiles, "loadedFiles");
    }

    /** The document for the holder's current snapshot and latest reload, as indented Json.MAPPER. */
    public String render(SnapshotHolder holder) {
        return render(holder, java.util.Map.of());
    }

    /** As {@link #render(SnapshotHolder)}, with the sections components contributed added at the top level. */
    public String render(SnapshotHolder holder, java.util.Map<String, java.util.function.Supplier<?>> sections) {
        Snapshot snapshot = holder.current();
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("generation", snapshot.generation());
        root.put("created_at", snapshot.createdAt().toString());
        root.put("proxy_type", proxyType.cliName());
        ArrayNode paths = root.putArray("config_paths");
        configPaths.forEach(paths::add);
        ArrayNode files = root.putArray("loaded_files");
        loadedFiles.get().forEach(files::add);
        String lastError = holder.lastReloadError();
        if (lastError == null) {
            root.putNull("last_reload_error");
        } else {
            root.put("last_reload_error", lastError);
        }
        SnapshotHolder.ReloadOutcome last = holder.lastReload();
        if (last == null) {
            root.putNull("last_reload");
        } else {
            ObjectNode lr = root.putObject("last_reload");
            lr.put("at", last.at().toString());
            lr.put("trigger", last.trigger());
            lr.put("result", last.succeeded() ? "success" : "failure");
            ArrayNode errors = lr.putArray("errors");
            last.errors().forEach(errors::add);
        }
        root.set("compiled", compiled(snapshot));
        ArrayNode resources = root.putArray("resources");
        for (Resource r : snapshot.config().resources()) {
            resources.add(resource(r));
        }
        sections.forEach((name, section) -> {
            if (!root.has(name)) {
                root.set(name, Json.MAPPER.valueToTree(section.get()));
            }
        });
        try {
            return Json.MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the compiler added to the config (listeners, clusters, hostnames and VIPs), redacted alike. */
    private static ObjectNode compiled(Snapshot snapshot) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        for (RecordComponent c : Snapshot.class.getRecordComponents()) {
            if (c.getName().equals("generation") || c.getName().equals("createdAt") || c.getName().equals("config")) {
                continue;
            }
            try {
                node.set(c.getName(), Json.REDACTED.toJson(c.getName(), c.getAccessor().invoke(snapshot)));
            } catch (ReflectiveOperationException e) {
                node.put(c.getName(), "[unreadable]");
            }
        }
        return node;
    }

    private ObjectNode resource(Resource r) {
        ResourceMeta meta = r.meta();
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("kind", meta.kind());
        node.put("name", meta.name());
        node.put("mesh", meta.mesh());
        if (!meta.namespace().isEmpty()) {
            node.put("namespace", meta.namespace());
        }
        node.set("labels", Json.REDACTED.toJson("labels", meta.labels()));
        node.put("origin", meta.origin().file() + ":" + meta.origin().line());
        node.set("spec", Json.REDACTED.toJson(null, r));
        return node;
    }
}
