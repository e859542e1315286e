package io.sallyport.core.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/** Writes YAML into a temporary directory and loads it, with errors printed relative to that directory. */
abstract class ConfigFixture {

    @TempDir
    Path dir;

    Path write(String name, String yaml) {
        try {
            Path p = dir.resolve(name);
            Files.createDirectories(p.getParent());
            Files.writeString(p, yaml);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    LoadResult load(String yaml) {
        return ConfigLoader.load(List.of(write("c.yaml", yaml)));
    }

    /** The errors of {@code yaml} as the CLI prints them, file names relative to the fixture directory. */
    List<String> errors(String yaml) {
        return relative(load(yaml));
    }

    List<String> relative(LoadResult r) {
        String prefix = dir.toString() + "/";
        return r.errors().stream().map(e -> e.toString().replace(prefix, "")).toList();
    }

    /** The single resource {@code yaml} defines, asserting it loaded without errors. */
    <T extends Resource> T single(String yaml, Class<T> kind) {
        LoadResult r = load(yaml);
        if (!r.ok()) {
            throw new AssertionError("unexpected errors: " + relative(r));
        }
        List<T> all = r.config().all(kind);
        if (all.size() != 1) {
            throw new AssertionError("expected one " + kind.getSimpleName() + ", got " + r.config().resources());
        }
        return all.get(0);
    }
}
