package io.sallyport.app;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code -h/--help} and {@code -V/--version} added to a command model built by hand, as picocli's
 * {@code mixinStandardHelpOptions} adds them (which reads them from annotations by reflection).
 */
public final class HelpOptions {

    private HelpOptions() {
    }

    /** Adds both options, last, with picocli's own descriptions; the version comes from the jar. */
    public static CommandSpec addTo(CommandSpec command) {
        command.versionProvider(new Version.Provider());
        command.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help message and exit.").build());
        command.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").build());
        return command;
    }
}
