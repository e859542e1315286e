package io.sallyport.core.config;

import java.util.List;

/** Reads a policy {@code targetRef}, the way Kuma's policies name what they apply to. */
final class TargetRefReader {

    static final List<String> KINDS = List.of(
            "Mesh", "MeshSubset", "MeshGateway", "MeshService", "MeshExternalService", "MeshMultiZoneService",
            "MeshServiceSubset", "MeshHTTPRoute", "Dataplane");

    private TargetRefReader() {
    }

    /** The targetRef at {@code parent.field}; {@code null} when absent or invalid (reported). */
    static MeshTrafficPermission.TargetRef read(MapReader parent, String field) {
        MapReader m = parent.map(field);
        if (m == null) {
            return null;
        }
        m.allow("kind", "name", "namespace", "labels", "tags", "mesh", "sectionName", "proxyTypes");
        String kind = m.require("kind") ? m.oneOf("kind", KINDS) : null;
        String name = m.string("name");
        var tags = m.stringMap("tags");
        var labels = m.stringMap("labels");
        for (String p : m.strings("proxyTypes")) {
            if (!p.equals("Sidecar") && !p.equals("Gateway")) {
                m.error("proxyTypes", "must contain only Sidecar, Gateway, got \"" + p + "\"");
            }
        }
        m.string("namespace");
        m.string("mesh");
        m.string("sectionName");
        if (kind == null) {
            return null;
        }
        boolean named = kind.equals("MeshService") || kind.equals("MeshExternalService")
                || kind.equals("MeshMultiZoneService") || kind.equals("MeshServiceSubset")
                || kind.equals("MeshHTTPRoute") || kind.equals("MeshGateway");
        if (named && (name == null || name.isEmpty()) && labels.isEmpty()) {
            m.error("name", "must be set for kind " + kind + " (or labels)");
            return null;
        }
        if (kind.equals("Mesh") && name != null && !name.isEmpty()) {
            m.error("name", "must not be set for kind Mesh");
            return null;
        }
        return new MeshTrafficPermission.TargetRef(kind, name, tags, labels);
    }

    /** The targetRef at {@code parent.field}, Kind {@code Mesh} when absent (Kuma's default). */
    static MeshTrafficPermission.TargetRef readOrMesh(MapReader parent, String field) {
        if (!parent.has(field)) {
            return new MeshTrafficPermission.TargetRef("Mesh", null, java.util.Map.of());
        }
        return read(parent, field);
    }
}
