package io.sallyport.core.config;

import java.util.Map;
import java.util.Objects;

/**
 * A Kuma {@code HostnameGenerator}: a template that gives each selected MeshExternalService a hostname.
 * An empty {@code matchLabels} selects every MES.
 */
public record HostnameGenerator(ResourceMeta meta, String template, Map<String, String> matchLabels)
        implements Resource {

    public HostnameGenerator {
        Objects.requireNonNull(template, "template");
        matchLabels = Map.copyOf(matchLabels);
    }

    /** True when every {@code matchLabels} entry is among {@code labels}. */
    public boolean selects(Map<String, String> labels) {
        for (Map.Entry<String, String> e : matchLabels.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
