package io.sallyport.app;

import io.sallyport.core.config.ConfigError;
import io.sallyport.core.config.ConfigSet;
import java.util.List;

/** Reads the configuration afresh each time it is asked (at start and on every reload). */
@FunctionalInterface
public interface ConfigSource {

    /** The resources read (from {@code files}), or the errors that make them unusable. */
    record Loaded(ConfigSet config, List<ConfigError> errors, List<String> files) {
        public Loaded {
            errors = List.copyOf(errors);
            files = List.copyOf(files);
        }

        public Loaded(ConfigSet config, List<ConfigError> errors) {
            this(config, errors, List.of());
        }

        public boolean ok() {
            return config != null && errors.isEmpty();
        }
    }

    Loaded load();
}
