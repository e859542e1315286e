package io.sallyport.core.config;

import java.util.Map;
import java.util.Objects;

/**
 * A Kuma {@code HostnameGenerator}: a template that gives each selected MeshExternalService a hostname.
 * An empty {@code matchLabels} selects every MES; a generator whose selector names only other kinds
 * ({@code meshService}, {@code meshMultiZoneService}) selects none.
 */
public record HostnameGenerator(
        ResourceMeta meta, String template, Map<String, String> matchLabels, boolean selectsMeshExternalServices)
        implements Resource {

    public HostnameGenerator {
        Objects.requireNonNull(template, "template");
        matchLabels = Map.copyOf(matchLabels);
    }

    /** A generator for MeshExternalServices ({@code selector.meshExternalService.matchLabels}). */
    public HostnameGenerator(ResourceMeta meta, String template, Map<String, String> matchLabels) {
        this(meta, template, matchLabels, true);
    }

    /**
     * True when this generator selects MeshExternalServices (its selector has {@code meshExternalService},
     * not only {@code meshService} or {@code meshMultiZoneService}) and every {@code matchLabels} entry
     * is among {@code labels}.
     */
    public boolean selects(Map<String, String> labels) {
        if (!selectsMeshExternalServices) {
            return false;
        }
        for (Map.Entry<String, String> e : matchLabels.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
