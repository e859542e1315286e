package io.sallyport.app;

import io.sallyport.core.config.ConfigError;
import io.sallyport.core.config.ConfigSet;
import java.util.List;

/** Reads the configuration afresh each time it is asked (at start and on every reload). */
@FunctionalInterface
public interface ConfigSource {

    /** The resources read, or the errors that make them unusable. */
    record Loaded(ConfigSet config, List<ConfigError> errors) {
        public Loaded {
            errors = List.copyOf(errors);
        }

        public boolean ok() {
            return config != null && errors.isEmpty();
        }
    }

    Loaded load();
}
