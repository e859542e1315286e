package io.sallyport.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The repeatable {@code --config PATH} option shared by {@code run} and {@code validate}. */
public final class ConfigPathsOption {

    @Option(names = {"-c", "--config"}, paramLabel = "PATH", required = true,
            description = "A YAML file, or a directory whose *.yaml and *.yml files are all read (sorted). "
                    + "Repeatable; several documents per file separated by '---'.")
    List<Path> paths = new ArrayList<>();

    public List<Path> paths() {
        return List.copyOf(paths);
    }
}
