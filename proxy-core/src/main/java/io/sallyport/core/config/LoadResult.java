package io.sallyport.core.config;

import java.util.List;
import java.util.Objects;

/**
 * What {@link ConfigLoader#load} found: the resources that read cleanly and every error (parse,
 * field and cross-resource), sorted by file and line. The configuration is usable only when
 * {@link #ok()}.
 */
public record LoadResult(ConfigSet config, List<ConfigError> errors) {

    public LoadResult {
        Objects.requireNonNull(config, "config");
        errors = List.copyOf(errors);
    }

    /** True when there is no error at all. */
    public boolean ok() {
        return errors.isEmpty();
    }
}
