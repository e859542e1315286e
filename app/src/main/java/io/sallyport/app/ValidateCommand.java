package io.sallyport.app;

import io.sallyport.Main;
import io.sallyport.core.config.ConfigError;
import io.sallyport.core.runtime.RuntimeOptions;
import io.sallyport.core.runtime.SnapshotCompiler;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code sallyport validate}: reads, validates and compiles the config without starting anything. Exit 0
 * when valid; else 1 with one {@code FILE:LINE: Kind/name: path: message} line per error on stderr.
 */
@Command(name = "validate", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
        header = "Check a config without starting anything; one line per error.",
        description = {"Check the config and exit: 0 when valid, else 1 with one line per error on stderr:",
            "  FILE:LINE: <Kind>/<name>: <field path>: <message>"})
public final class ValidateCommand implements Callable<Integer> {

    /** This command in a command line, with its {@code --config} option (shared with {@code run}). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new ValidateCommand());
        cl.getCommandSpec().addOption(ConfigPathsOption.spec());
        return cl;
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ConfigSource.Loaded loaded = new ConfigFiles(ConfigPathsOption.paths(spec)).load();
        List<ConfigError> errors = loaded.errors();
        if (loaded.ok()) {
            String cidr = System.getenv(RunCommand.VIP_CIDR_ENV);
            RuntimeOptions options = new RuntimeOptions(
                    ProxyServer.resolveProxyType(null, loaded.config()),
                    cidr == null || cidr.isBlank() ? null : cidr.strip(), null, null, null);
            SnapshotCompiler.Result compiled = SnapshotCompiler.compile(loaded.config(), options, 1);
            errors = compiled.errors();
        }
        if (!errors.isEmpty() || loaded.config() == null) {
            errors.stream().sorted().forEach(e -> spec.commandLine().getErr().println(e));
            spec.commandLine().getErr().flush();
            return Main.EXIT_INVALID;
        }
        spec.commandLine().getOut().println("valid: " + loaded.config().resources().size() + " resources");
        spec.commandLine().getOut().flush();
        return Main.EXIT_OK;
    }
}
