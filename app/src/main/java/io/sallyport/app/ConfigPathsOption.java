package io.sallyport.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The repeatable {@code --config PATH} option shared by {@code run} and {@code validate}. */
public final class ConfigPathsOption {

    private static final String NAME = "--config";

    private ConfigPathsOption() {
    }

    /** A new {@code -c/--config} option for a command's model. */
    public static OptionSpec spec() {
        return OptionSpec.builder("-c", NAME)
                .paramLabel("PATH")
                .required(true)
                .type(List.class)
                .auxiliaryTypes(Path.class)
                .initialValue(new ArrayList<Path>())
                .description("A YAML file, or a directory whose *.yaml and *.yml files are all read (sorted). "
                        + "Repeatable; several documents per file separated by '---'.")
                .build();
    }

    /** The paths {@code command}'s {@code --config} was given, in order. */
    public static List<Path> paths(CommandSpec command) {
        List<Path> paths = command.findOption(NAME).getValue();
        return List.copyOf(paths);
    }
}
