package io.sallyport.core.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Loads Kuma resources from YAML files and directories and validates them, returning every error at
 * once. A resource with an error is left out of the {@link ConfigSet}; cross-resource rules
 * ({@link ConfigValidator}) run on what remains.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /**
     * Loads files or directories (all {@code *.yaml}/{@code *.yml} directly inside, sorted by name); a
     * file may hold several {@code ---} documents. Errors name files as {@code path} spells them.
     */
    public static LoadResult load(List<Path> paths) {
        List<ConfigError> errors = new ArrayList<>();
        List<Resource> resources = new ArrayList<>();
        Set<String> broken = new HashSet<>();
        for (Path file : expand(paths, errors)) {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                errors.add(new ConfigError(file.toString(), 0, "-", "-", "cannot read file: " + describe(e)));
                continue;
            }
            readText(file.toString(), text, resources, errors, broken);
        }
        return finish(resources, errors, broken);
    }

    /** Loads the documents of one file's text, as if read from {@code file}. */
    public static LoadResult parse(String file, String yaml) {
        List<ConfigError> errors = new ArrayList<>();
        List<Resource> resources = new ArrayList<>();
        Set<String> broken = new HashSet<>();
        readText(file, yaml, resources, errors, broken);
        return finish(resources, errors, broken);
    }

    /** The files a list of {@code --config} paths stands for, in load order. */
    public static List<Path> files(List<Path> paths) {
        return expand(paths, new ArrayList<>());
    }

    private static LoadResult finish(List<Resource> resources, List<ConfigError> errors, Set<String> broken) {
        ConfigSet config = new ConfigSet(resources);
        errors.addAll(ConfigValidator.validate(config, broken));
        errors.sort(null); // stable: same-line errors keep the order they were found in
        return new LoadResult(config, errors);
    }

    private static void readText(String file, String text, List<Resource> resources, List<ConfigError> errors,
                                 Set<String> broken) {
        YamlDocuments.Parsed parsed = YamlDocuments.parse(file, text);
        for (YamlDocuments.Document doc : parsed.documents()) {
            DocumentReader.Result r = DocumentReader.read(file, doc);
            errors.addAll(r.errors());
            if (r.resource() != null) {
                resources.add(r.resource());
            } else if (r.key() != null) {
                broken.add(r.key());
            }
        }
        if (parsed.error() != null) {
            errors.add(parsed.error());
        }
    }

    private static List<Path> expand(List<Path> paths, List<ConfigError> errors) {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> isYaml(f) && !Files.isDirectory(f))
                            .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                            .forEach(files::add);
                } catch (IOException | RuntimeException e) {
                    errors.add(new ConfigError(p.toString(), 0, "-", "-", "cannot list directory: " + describe(e)));
                }
            } else if (Files.exists(p)) {
                files.add(p);
            } else {
                errors.add(new ConfigError(p.toString(), 0, "-", "-", "no such file or directory"));
            }
        }
        return files;
    }

    private static boolean isYaml(Path f) {
        String n = f.getFileName().toString();
        return (n.endsWith(".yaml") || n.endsWith(".yml")) && !n.startsWith(".");
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
