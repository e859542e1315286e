package io.sallyport;

import io.sallyport.app.CommandFailure;
import io.sallyport.app.ComponentFactory;
import io.sallyport.app.DataPlaneComponents;
import io.sallyport.app.HelpOptions;
import io.sallyport.app.RunCommand;
import io.sallyport.app.ValidateCommand;
import java.io.PrintWriter;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code sallyport}: parses the command line and runs a subcommand. Exit codes: 0 clean shutdown or valid
 * config, 1 invalid config or arguments (one line per problem on stderr), 2 runtime failure.
 */
public final class Main implements Callable<Integer> {

    public static final int EXIT_OK = 0;
    public static final int EXIT_INVALID = 1;
    public static final int EXIT_RUNTIME_FAILURE = 2;

    private static final String NETTY_JFR = "io.netty.jfr.enabled";
    private static final String NETTY_LEAK_LEVEL = "io.netty.leakDetection.level";
    private static final String NETTY_LEAK_LEVEL_LEGACY = "io.netty.leakDetectionLevel";
    private static final String NETTY_LEAK_SAMPLING = "io.netty.leakDetection.samplingInterval";

    private static final List<String> SUBCOMMANDS = List.of("run", "validate", "ca");

    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("sallyport: missing command (run, validate, ca); see 'sallyport --help'");
        err.flush();
        return EXIT_INVALID;
    }

    public static void main(String[] args) {
        applyNettyDefaults(System.getProperties());
        System.exit(execute(DataPlaneComponents.builtIn(), args));
    }

    /**
     * Sets the Netty properties the proxy runs with unless {@code properties} already has them (so {@code -D}
     * on the command line or in {@code JAVA_OPTS} wins). Must run before any Netty class is loaded.
     */
    static void applyNettyDefaults(Properties properties) {
        // Netty's JFR buffer events set up the JDK's whole event machinery when its allocator first loads
        // (~130 ms of the start to /ready) and are checked on every allocation; -Dio.netty.jfr.enabled=true
        // brings them back.
        properties.putIfAbsent(NETTY_JFR, "false");
        // The leak detector is off unless asked for: the buffers it samples come wrapped in a second class,
        // so every buffer call site the JIT has specialised for the allocator's one class traps when the first
        // sampled buffer passes, and C2 compiles the hottest encoder and pipeline methods again (~20
        // recompilations, ~0.5 s of CPU in the first seconds of load on the proxy's core). The tests run it
        // at paranoid; -Dio.netty.leakDetection.level=simple turns it on here.
        if (!properties.containsKey(NETTY_LEAK_LEVEL) && !properties.containsKey(NETTY_LEAK_LEVEL_LEGACY)) {
            properties.setProperty(NETTY_LEAK_LEVEL, "disabled");
        }
        // When it is on, it captures a stack trace for each buffer it samples (1 in 128 by default): ~2 % of the
        // data path's CPU. 1 in 4096 still reports a leak on a per-request path within seconds of load.
        properties.putIfAbsent(NETTY_LEAK_SAMPLING, "4096");
    }

    /** Runs the command line with the given data-plane components and returns the exit code. */
    public static int execute(List<ComponentFactory> components, String... args) {
        return commandLine(components, args.length > 0 ? args[0] : null).execute(args);
    }

    /** The configured picocli command tree (more subcommands may be added with {@code addSubcommand}). */
    public static CommandLine commandLine(List<ComponentFactory> components) {
        return commandLine(components, null);
    }

    /**
     * The command tree for a command line whose first word is {@code first}: only that subcommand when it
     * names one (picocli reads every command's annotations by reflection when it is added, a cost on the
     * way to {@code /ready} that the other commands need not add), else every subcommand (help, errors).
     */
    public static CommandLine commandLine(List<ComponentFactory> components, String first) {
        boolean all = first == null || !SUBCOMMANDS.contains(first);
        Main main = new Main();
        // The root and `run` are modelled by hand (see RunCommand): no annotation is read on the way to /ready.
        main.spec = CommandSpec.wrapWithoutInspection(main).name("sallyport");
        main.spec.usageMessage()
                .description("An egress proxy for service meshes, configured with Kuma resources.")
                .commandListHeading("%nCommands:%n");
        HelpOptions.addTo(main.spec);
        CommandLine cl = new CommandLine(main.spec);
        if (all || first.equals("run")) {
            cl.addSubcommand("run", new RunCommand(components).commandSpec());
        }
        if (all || first.equals("validate")) {
            cl.addSubcommand("validate", ValidateCommand.commandLine());
        }
        if (all || first.equals("ca")) {
            cl.addSubcommand("ca", new io.sallyport.app.CaCommand());
        }
        cl.setParameterExceptionHandler((ex, args) -> {
            String where = ex.getCommandLine().getCommandSpec().qualifiedName();
            PrintWriter err = ex.getCommandLine().getErr();
            err.println(where + ": " + oneLine(ex.getMessage()) + " (see '" + where + " --help')");
            err.flush();
            return EXIT_INVALID;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (ex instanceof CommandFailure failure) {
                failure.lines().forEach(err::println);
                err.flush();
                return failure.exitCode();
            }
            LoggerFactory.getLogger(Main.class).error("unexpected failure", ex);
            return EXIT_RUNTIME_FAILURE;
        });
        return cl;
    }

    private static String oneLine(String message) {
        if (message == null) {
            return "invalid arguments";
        }
        int nl = message.indexOf('\n');
        return (nl >= 0 ? message.substring(0, nl) : message).strip();
    }
}
