package io.sallyport.core.config;

import java.util.List;
import java.util.Map;

/** Reads a {@code HostnameGenerator} spec (the template itself is parsed by the hostname package). */
final class HostnameGeneratorReader implements KindReader {

    static final List<String> FIELDS = List.of("selector", "template", "extension");

    @Override
    public Resource read(ResourceMeta meta, MapReader spec, MapReader root) {
        int before = spec.diagnostics().count();
        String template = spec.requiredString("template");
        Map<String, String> matchLabels = Map.of();
        boolean selectsMes = false;
        String matchName = null;
        if (spec.require("selector")) {
            MapReader selector = spec.map("selector");
            if (selector != null) {
                selector.allow("meshService", "meshExternalService", "meshMultiZoneService");
                for (String kind : List.of("meshService", "meshExternalService", "meshMultiZoneService")) {
                    MapReader s = selector.map(kind);
                    if (s == null) {
                        continue;
                    }
                    if (kind.equals("meshExternalService")) {
                        s.allow("matchLabels", "matchName");
                        selectsMes = true;
                        matchLabels = s.stringMap("matchLabels");
                        matchName = s.string("matchName");
                    } else {
                        s.allow("matchLabels");
                        s.stringMap("matchLabels");
                    }
                }
                if (selector.names().isEmpty()) {
                    spec.error("selector", "must select meshService, meshExternalService or meshMultiZoneService");
                }
            }
        }
        MapReader ext = spec.map("extension");
        if (ext != null) {
            ext.allow("type", "config");
            ext.requiredString("type");
        }
        if (spec.diagnostics().count() > before) {
            return null;
        }
        return new HostnameGenerator(meta, template, matchLabels, selectsMes, matchName);
    }
}
