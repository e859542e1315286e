package io.sallyport.core.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the errors of one YAML document, each stamped with the document's file and resource.
 */
final class Diagnostics {

    private final String file;
    private final List<ConfigError> errors = new ArrayList<>();
    private String resource = "-";

    Diagnostics(String file) {
        this.file = file;
    }

    String file() {
        return file;
    }

    /** Sets the {@code Kind/name} that later errors carry. */
    void resource(String ref) {
        this.resource = ref;
    }

    void error(String path, int line, String message) {
        errors.add(new ConfigError(file, line, resource, path, message));
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    int count() {
        return errors.size();
    }

    List<ConfigError> errors() {
        return List.copyOf(errors);
    }
}
