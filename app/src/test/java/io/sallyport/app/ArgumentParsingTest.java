package io.sallyport.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sallyport.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ArgumentParsingTest {

    private record Outcome(int exitCode, String out, String err) { }

    private static Outcome run(String... args) {
        return run(Main.commandLine(List.of()), args);
    }

    private static Outcome run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void unknownFlagIsOneLineAndExit1() {
        Outcome o = run("run", "--config", "x.yaml", "--bogus");
        assertThat(o.exitCode()).isEqualTo(1);
        assertThat(o.err()).isEqualTo("sallyport run: Unknown option: '--bogus' (see 'sallyport run --help')"
                + System.lineSeparator());
    }

    @Test
    void badValuesAreOneLineAndExit1() {
        assertThat(run("run", "--config", "x", "--admin-address", "nope").err())
                .isEqualTo("sallyport run: Invalid value for option '--admin-address': expected HOST:PORT, got 'nope'"
                        + " (see 'sallyport run --help')" + System.lineSeparator());
        assertThat(run("run", "--config", "x", "--proxy-type", "sidecar").err())
                .contains("'sidecar' is not one of dataplane, egress").hasLineCount(1);
        assertThat(run("run", "--config", "x", "--vip-cidr", "10.0.0.0/33").err())
                .contains("prefix length 33 is outside 0-32").hasLineCount(1);
        assertThat(run("run", "--config", "x", "--drain-timeout", "soon").err())
                .contains("'soon' is not a duration").hasLineCount(1);
        assertThat(run("run", "--config", "x", "--dns-enabled=maybe").exitCode()).isEqualTo(1);
        Outcome both = run("run", "--config", "x", "--dns-enabled=false", "--dns-address", "127.0.0.1:53");
        assertThat(both.exitCode()).isEqualTo(1);
        assertThat(both.err()).contains("--dns-address cannot be used with --dns-enabled=false").hasLineCount(1);
        Outcome partial = run("run", "--config", "x", "--mesh-ca", "ca.pem");
        assertThat(partial.exitCode()).isEqualTo(1);
        assertThat(partial.err()).contains("must be given together").hasLineCount(1);
    }

    @Test
    void missingConfigAndMissingCommandAreOneLine() {
        Outcome noConfig = run("validate");
        assertThat(noConfig.exitCode()).isEqualTo(1);
        assertThat(noConfig.err()).contains("Missing required option").hasLineCount(1);
        Outcome none = run();
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.err()).hasLineCount(1);
    }

    @Test
    void helpDocumentsEveryFlag() {
        Outcome help = run("run", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--config", "--proxy-type", "--admin-address", "--dns-address",
                "--dns-enabled", "--vip-cidr", "--mesh-ca", "--identity-cert", "--identity-key",
                "--drain-timeout", "--access-log-format", "--concurrency");
    }

    @Test
    void concurrencyIsAPositiveThreadCountAndDefaultsToOnePerCpu() {
        assertThat(parseRun("--config", "x").concurrency()).isZero();
        assertThat(parseRun("--config", "x", "--concurrency", "3").concurrency()).isEqualTo(3);
        assertThat(run("run", "--config", "x", "--concurrency", "0").err())
                .isEqualTo("sallyport run: Invalid value for option '--concurrency': must be between 1 and 1024, got 0"
                        + " (see 'sallyport run --help')" + System.lineSeparator());
        assertThat(run("run", "--config", "x", "--concurrency", "two").err())
                .contains("'two' is not a whole number").hasLineCount(1);
        assertThat(run("run", "--config", "x", "--concurrency", "-1").exitCode()).isEqualTo(1);
        assertThatThrownBy(() -> ServerSettings.defaults(List.of(java.nio.file.Path.of("x")))
                .withConcurrency(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ServerSettings.defaults(List.of(java.nio.file.Path.of("x"))).withConcurrency(2).concurrency())
                .isEqualTo(2);
    }

    /** The settings {@code run ARGS} would start with (parsed, not run). */
    private static ServerSettings parseRun(String... args) {
        CommandLine cl = Main.commandLine(List.of());
        CommandLine.ParseResult parsed = cl.parseArgs(java.util.stream.Stream.concat(
                java.util.stream.Stream.of("run"), java.util.Arrays.stream(args)).toArray(String[]::new));
        RunCommand command = (RunCommand) parsed.subcommand().commandSpec().userObject();
        return command.settings();
    }

    @Test
    void aTreeBuiltForItsFirstWordAnswersLikeTheFullTree() {
        List<String[]> lines = List.of(
                new String[] {"run", "--config", "x", "--bogus"},
                new String[] {"run", "--help"},
                new String[] {"validate"},
                new String[] {"ca", "init"},
                new String[] {"ca", "--help"},
                new String[] {"bogus"},
                new String[] {"--help"},
                new String[] {"--version"});
        for (String[] args : lines) {
            assertThat(run(Main.commandLine(List.of(), args[0]), args)).as(String.join(" ", args))
                    .isEqualTo(run(args));
        }
        assertThat(Main.commandLine(List.of(), "run").getSubcommands()).containsOnlyKeys("run");
        assertThat(Main.commandLine(List.of(), "--help").getSubcommands()).containsOnlyKeys("run", "validate", "ca");
        assertThat(Main.commandLine(List.of(), null).getSubcommands()).containsOnlyKeys("run", "validate", "ca");
    }

    @Test
    void hostPorts() {
        assertThat(HostPort.parse("127.0.0.1:9901")).isEqualTo(new InetSocketAddress("127.0.0.1", 9901));
        assertThat(HostPort.parse("[::1]:15053").getPort()).isEqualTo(15053);
        assertThat(HostPort.format(HostPort.parse("[::1]:0"))).isEqualTo("[0:0:0:0:0:0:0:1]:0");
        assertThatThrownBy(() -> HostPort.parse("127.0.0.1")).hasMessage("expected HOST:PORT, got '127.0.0.1'");
        assertThatThrownBy(() -> HostPort.parse("127.0.0.1:70000"))
                .hasMessage("port 70000 is outside 0-65535 in '127.0.0.1:70000'");
        assertThatThrownBy(() -> HostPort.parse("::1:80")).hasMessage("expected HOST:PORT, got '::1:80'");
    }

    @Test
    void durations() {
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> Durations.parse("30")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Durations.parse("1x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Durations.parse("s")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cidrs() {
        assertThat(Cidr.check("242.0.0.0/8")).isEqualTo("242.0.0.0/8");
        assertThat(Cidr.check("fd00::/8")).isEqualTo("fd00::/8");
        assertThatThrownBy(() -> Cidr.check("242.0.0.0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.check("example.com/8")).hasMessageContaining("is not an IP address");
        assertThatThrownBy(() -> Cidr.check("256.0.0.0/8")).hasMessageContaining("is not an IP address");
        assertThatThrownBy(() -> Cidr.check("fd00::/129")).hasMessageContaining("outside 0-128");
    }
}
