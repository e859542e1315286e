package io.sallyport.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every resource loaded from the {@code --config} paths, in file order. Immutable.
 */
public record ConfigSet(List<Resource> resources) {

    public static final ConfigSet EMPTY = new ConfigSet(List.of());

    public ConfigSet {
        resources = List.copyOf(resources);
    }

    /** All resources of one kind, in file order. */
    public <T extends Resource> List<T> all(Class<T> kind) {
        List<T> out = new ArrayList<>();
        for (Resource r : resources) {
            if (kind.isInstance(r)) {
                out.add(kind.cast(r));
            }
        }
        return List.copyOf(out);
    }

    /** The first resource of a kind, e.g. the one {@link Mesh} or {@link Dataplane}. */
    public <T extends Resource> Optional<T> first(Class<T> kind) {
        for (Resource r : resources) {
            if (kind.isInstance(r)) {
                return Optional.of(kind.cast(r));
            }
        }
        return Optional.empty();
    }

    /** The resource of a kind with a given name (and mesh, when several meshes are configured). */
    public <T extends Resource> Optional<T> named(Class<T> kind, String name) {
        for (Resource r : resources) {
            if (kind.isInstance(r) && r.name().equals(name)) {
                return Optional.of(kind.cast(r));
            }
        }
        return Optional.empty();
    }
}
