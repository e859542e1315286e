package io.sallyport.core.config;

import java.util.Map;
import java.util.Objects;

/**
 * The identity shared by every resource: kind, name, mesh, namespace (Kubernetes form only), labels
 * and origin. Labels always include {@code kuma.io/origin} ({@code zone} unless the document set it).
 */
public record ResourceMeta(
        String kind, String name, String mesh, String namespace, Map<String, String> labels, Origin origin) {

    public static final String DEFAULT_MESH = "default";
    public static final String LABEL_ORIGIN = "kuma.io/origin";
    public static final String LABEL_DISPLAY_NAME = "kuma.io/display-name";
    public static final String LABEL_ZONE = "kuma.io/zone";
    public static final String LABEL_MESH = "kuma.io/mesh";

    public ResourceMeta {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        mesh = mesh == null || mesh.isEmpty() ? DEFAULT_MESH : mesh;
        namespace = namespace == null ? "" : namespace;
        labels = Map.copyOf(labels);
        Objects.requireNonNull(origin, "origin");
    }

    /** Kuma's display name: the {@code kuma.io/display-name} label when present, else the name. */
    public String displayName() {
        return labels.getOrDefault(LABEL_DISPLAY_NAME, name);
    }

    /** {@code Kind/name}, the prefix every validation error carries. */
    public String ref() {
        return kind + "/" + name;
    }
}
