package io.sallyport.core.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Turns one YAML document into a {@link Resource}: recognises the Universal form ({@code type},
 * {@code name}, {@code mesh}, {@code labels}) and the Kubernetes form ({@code apiVersion}, {@code kind},
 * {@code metadata}), builds the {@link ResourceMeta} and hands the body to the kind's reader.
 */
final class DocumentReader {

    static final String KUMA_API_VERSION = "kuma.io/v1alpha1";
    static final String ZONE_ORIGIN = "zone";

    /** How a kind is laid out: in Universal form, top-level kinds keep their fields beside {@code name}. */
    private record KindSchema(boolean universalTopLevel, boolean meshScoped, List<String> fields, KindReader reader) {
    }

    private static final Map<String, KindSchema> KINDS = new LinkedHashMap<>();

    static {
        KINDS.put("MeshExternalService", new KindSchema(false, true, MeshExternalServiceReader.FIELDS,
                new MeshExternalServiceReader()));
        KINDS.put("HostnameGenerator", new KindSchema(false, false, HostnameGeneratorReader.FIELDS,
                new HostnameGeneratorReader()));
        KINDS.put("MeshPassthrough", new KindSchema(false, true, MeshPassthroughReader.FIELDS,
                new MeshPassthroughReader()));
        KINDS.put("Mesh", new KindSchema(true, false, MeshReader.FIELDS, new MeshReader()));
        KINDS.put("Dataplane", new KindSchema(true, true, DataplaneReader.FIELDS, new DataplaneReader()));
        KINDS.put("ZoneEgress", new KindSchema(true, false, ZoneEgressReader.FIELDS, new ZoneEgressReader()));
        KINDS.put("MeshTrafficPermission", new KindSchema(false, true, MeshTrafficPermissionReader.FIELDS,
                new MeshTrafficPermissionReader()));
        KINDS.put("MeshTimeout", new KindSchema(false, true, MeshTimeoutReader.FIELDS, new MeshTimeoutReader()));
        KINDS.put("Secret", new KindSchema(true, true, SecretReader.UNIVERSAL_FIELDS, new SecretReader(false)));
    }

    /** The kinds Sallyport reads, in the order error messages list them. */
    static List<String> kinds() {
        return List.copyOf(KINDS.keySet());
    }

    /**
     * One document's outcome: the resource (or {@code null} when it had errors), its errors, and the
     * {@code kind|mesh|name} key it would have had ({@code null} when not even that was readable).
     */
    record Result(Resource resource, List<ConfigError> errors, String key) {
        Result {
            errors = List.copyOf(errors);
        }
    }

    private DocumentReader() {
    }

    static String key(String kind, String mesh, String name) {
        return kind + "|" + mesh + "|" + name;
    }

    static Result read(String file, YamlDocuments.Document doc) {
        Diagnostics diag = new Diagnostics(file);
        if (!(doc.root() instanceof MappingNode rootNode)) {
            diag.error("-", doc.line(), "a document must be a map (a Kuma resource)");
            return new Result(null, diag.errors(), null);
        }
        boolean kubernetes = peek(rootNode, "apiVersion") != null || peek(rootNode, "kind") != null;
        String kind = kubernetes ? peek(rootNode, "kind") : peek(rootNode, "type");
        String name = kubernetes ? peekMetadataName(rootNode) : peek(rootNode, "name");
        String ref = (kind == null || kind.isEmpty() ? "-" : kind) + "/" + (name == null || name.isEmpty() ? "-" : name);
        diag.resource(ref);
        MapReader top = MapReader.of(diag, rootNode, "", doc.line());
        Origin origin = new Origin(file, doc.line(), YamlDocuments.fieldLines(rootNode));

        if (!kubernetes && !top.present("type")) {
            diag.error("-", doc.line(), "missing \"type\" (Universal form) or \"apiVersion\" and \"kind\" "
                    + "(Kubernetes form)");
            return new Result(null, diag.errors(), null);
        }
        String kindField = kubernetes ? "kind" : "type";
        kind = top.requiredString(kindField);
        if (kind == null) {
            return new Result(null, diag.errors(), null);
        }
        KindSchema schema = KINDS.get(kind);
        if (schema == null) {
            String hint = NameSuggester.closest(kind, KINDS.keySet());
            top.error(kindField, "unknown kind \"" + kind + "\"; "
                    + (hint != null ? "did you mean \"" + hint + "\"?" : "expected one of " + String.join(", ", KINDS.keySet())));
            return new Result(null, diag.errors(), null);
        }
        return kubernetes ? readKubernetes(diag, top, origin, kind, schema) : readUniversal(diag, top, origin, kind, schema);
    }

    private static Result readUniversal(Diagnostics diag, MapReader top, Origin origin, String kind, KindSchema schema) {
        List<String> allowed = new ArrayList<>(List.of("type", "name", "labels", "creationTime", "modificationTime"));
        if (schema.meshScoped()) {
            allowed.add("mesh");
        }
        if (schema.universalTopLevel()) {
            allowed.addAll(schema.fields());
        } else {
            allowed.add("spec");
            if (kind.equals("MeshExternalService") || kind.equals("HostnameGenerator")) {
                allowed.add("status");
            }
        }
        top.allow(allowed.toArray(String[]::new));
        String name = top.requiredString("name");
        String mesh = top.string("mesh");
        Map<String, String> labels = top.stringMap("labels");
        top.string("creationTime");
        top.string("modificationTime");
        if (name == null) {
            return new Result(null, diag.errors(), null);
        }
        if (kind.equals("Mesh")) {
            mesh = name;
        }
        ResourceMeta meta = new ResourceMeta(kind, name, mesh, null, withOrigin(labels), origin);
        MapReader fields;
        if (schema.universalTopLevel()) {
            fields = top;
        } else {
            fields = top.map("spec");
            if (fields == null) {
                if (!top.present("spec")) {
                    top.error("spec", "must be set");
                }
                return new Result(null, diag.errors(), key(kind, meta.mesh(), name));
            }
            fields.allow(schema.fields().toArray(String[]::new));
        }
        return finish(diag, meta, schema.reader().read(meta, fields, top));
    }

    private static Result readKubernetes(Diagnostics diag, MapReader top, Origin origin, String kind, KindSchema schema) {
        boolean secret = kind.equals("Secret");
        List<String> allowed = new ArrayList<>(List.of("apiVersion", "kind", "metadata"));
        if (secret) {
            allowed.addAll(SecretReader.KUBERNETES_FIELDS);
        } else {
            allowed.add("spec");
            allowed.add("status");
            if (kind.equals("Dataplane")) {
                allowed.add("mesh");
            }
        }
        top.allow(allowed.toArray(String[]::new));
        String apiVersion = top.requiredString("apiVersion");
        String expected = secret ? "v1" : KUMA_API_VERSION;
        if (apiVersion != null && !apiVersion.equals(expected)) {
            top.error("apiVersion", "must be " + expected + " for kind " + kind + ", got \"" + apiVersion + "\"");
        }
        if (!top.require("metadata")) {
            return new Result(null, diag.errors(), null);
        }
        MapReader md = top.mapOrEmpty("metadata");
        md.allow("name", "namespace", "labels", "annotations", "uid", "resourceVersion", "generation",
                "creationTimestamp", "deletionTimestamp", "ownerReferences", "finalizers", "managedFields",
                "generateName");
        String name = md.requiredString("name");
        String namespace = md.string("namespace");
        Map<String, String> labels = md.stringMap("labels");
        md.stringMap("annotations");
        if (name == null) {
            return new Result(null, diag.errors(), null);
        }
        String mesh = labels.get(ResourceMeta.LABEL_MESH);
        if (kind.equals("Dataplane") && top.has("mesh")) {
            String m = top.string("mesh");
            if (mesh != null && m != null && !mesh.equals(m)) {
                top.error("mesh", "\"" + m + "\" differs from label " + ResourceMeta.LABEL_MESH + " \"" + mesh + "\"");
            }
            mesh = m;
        }
        if (kind.equals("Mesh")) {
            mesh = name;
        }
        ResourceMeta meta = new ResourceMeta(kind, name, mesh, namespace, withOrigin(labels), origin);
        MapReader fields;
        if (secret) {
            fields = top;
        } else {
            fields = top.map("spec");
            if (fields == null) {
                if (kind.equals("Mesh")) {
                    fields = MapReader.of(diag, null, "spec", top.line("spec")); // an empty Mesh is valid
                } else {
                    if (!top.present("spec")) {
                        top.error("spec", "must be set");
                    }
                    return new Result(null, diag.errors(), key(kind, meta.mesh(), name));
                }
            }
            fields.allow(schema.fields().toArray(String[]::new));
        }
        KindReader reader = secret ? new SecretReader(true) : schema.reader();
        return finish(diag, meta, reader.read(meta, fields, top));
    }

    private static Result finish(Diagnostics diag, ResourceMeta meta, Resource resource) {
        String key = key(meta.kind(), meta.mesh(), meta.name());
        return new Result(diag.hasErrors() ? null : resource, diag.errors(), key);
    }

    /** Resources read from local files are zone-originated unless they say otherwise. */
    private static Map<String, String> withOrigin(Map<String, String> labels) {
        Map<String, String> out = new LinkedHashMap<>(labels);
        out.putIfAbsent(ResourceMeta.LABEL_ORIGIN, ZONE_ORIGIN);
        return out;
    }

    /** A top-level scalar's text before full reading, to label errors with the resource. */
    private static String peek(MappingNode root, String field) {
        for (NodeTuple t : root.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(field)) {
                return t.getValueNode() instanceof ScalarNode v && !MapReader.isNull(v) ? v.getValue() : null;
            }
        }
        return null;
    }

    private static String peekMetadataName(MappingNode root) {
        for (NodeTuple t : root.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("metadata")
                    && t.getValueNode() instanceof MappingNode md) {
                return peek(md, "name");
            }
        }
        return null;
    }
}
