package io.sallyport.core.config;

import java.util.List;

/**
 * Reads a {@code Secret}: Universal {@code data: <base64>}, or a Kubernetes Secret of
 * {@code type: system.kuma.io/secret} with {@code data.value: <base64>}.
 */
final class SecretReader implements KindReader {

    static final List<String> UNIVERSAL_FIELDS = List.of("data");
    static final List<String> KUBERNETES_FIELDS = List.of("type", "data", "immutable");
    static final String KUBERNETES_TYPE = "system.kuma.io/secret";

    private final boolean kubernetes;

    SecretReader(boolean kubernetes) {
        this.kubernetes = kubernetes;
    }

    @Override
    public Resource read(ResourceMeta meta, MapReader doc, MapReader root) {
        int before = doc.diagnostics().count();
        byte[] bytes;
        if (kubernetes) {
            if (doc.require("type")) {
                String type = doc.string("type");
                if (type != null && !type.equals(KUBERNETES_TYPE)) {
                    doc.error("type", "must be " + KUBERNETES_TYPE + ", got \"" + type + "\"");
                }
            }
            doc.bool("immutable");
            MapReader data = doc.require("data") ? doc.map("data") : null;
            if (data != null) {
                data.allow("value");
            }
            bytes = data == null ? null : base64(data, "value");
        } else {
            bytes = base64(doc, "data");
        }
        if (doc.diagnostics().count() > before || bytes == null) {
            return null;
        }
        return new Secret(meta, bytes);
    }

    private static byte[] base64(MapReader m, String field) {
        String s = m.requiredString(field);
        if (s == null) {
            return null;
        }
        byte[] bytes = DataSourceReader.decodeBase64(s);
        if (bytes == null) {
            m.error(field, "must be valid base64");
        }
        return bytes;
    }
}
