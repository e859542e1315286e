package io.sallyport.core.config;

import java.util.Map;
import java.util.Objects;

/**
 * A Kuma {@code HostnameGenerator}: a template that gives each selected MeshExternalService a hostname.
 * An empty {@code matchLabels} selects every MES; a generator whose selector names only other kinds
 * ({@code meshService}, {@code meshMultiZoneService}) selects none.
 */
public record HostnameGenerator(
        ResourceMeta meta, String template, Map<String, String> matchLabels, boolean selectsMeshExternalServices,
        String matchName)
        implements Resource {

    public HostnameGenerator {
        Objects.requireNonNull(template, "template");
        matchLabels = Map.copyOf(matchLabels);
    }

    /** A generator for MeshExternalServices ({@code selector.meshExternalService.matchLabels}). */
    public HostnameGenerator(ResourceMeta meta, String template, Map<String, String> matchLabels) {
        this(meta, template, matchLabels, true, null);
    }

    /**
     * True when this generator gives the MeshExternalService {@code mes} a hostname: it selects
     * MeshExternalServices, {@code matchName} (when set) is the MES's name, and the labels match.
     */
    public boolean selects(ResourceMeta mes) {
        return (matchName == null || matchName.equals(mes.name())) && selects(mes.labels());
    }

    /**
     * True when this generator selects MeshExternalServices (its selector has {@code meshExternalService},
     * not only {@code meshService} or {@code meshMultiZoneService}) and every {@code matchLabels} entry
     * is among {@code labels}. Ignores {@code matchName}: prefer {@link #selects(ResourceMeta)}.
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
