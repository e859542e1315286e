package io.sallyport.app;

import io.sallyport.core.metrics.Stats;
import io.sallyport.core.runtime.ProxyType;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * {@code sallyport run}: serve traffic until SIGTERM (drain, exit 0) or {@code /quitquitquit}.
 *
 * <p>Its picocli model is built by hand ({@link #commandSpec()}) rather than read from annotations: reading
 * them makes the JVM generate a proxy class per annotation type by reflection, tens of milliseconds of
 * every start before the proxy is ready.
 */
public final class RunCommand implements Callable<Integer> {

    static final String VIP_CIDR_ENV = "KUMA_IPAM_MESH_EXTERNAL_SERVICE_CIDR";

    private final List<ComponentFactory> components;
    private CommandSpec spec;

    public RunCommand(List<ComponentFactory> components) {
        this.components = List.copyOf(components);
    }

    /** This command's picocli model; the parsed values are read back from it by {@link #call()}. */
    public CommandSpec commandSpec() {
        CommandSpec s = CommandSpec.wrapWithoutInspection(this).name("run");
        s.usageMessage()
                .header("Run the proxy until SIGTERM (drain, exit 0) or POST /quitquitquit.")
                .description("Run the proxy. SIGHUP or any change under a --config path reloads the config; "
                                + "SIGTERM drains live connections (up to --drain-timeout) and exits 0.",
                        "Exit codes: 0 clean shutdown, 1 invalid config or arguments, 2 runtime failure (e.g. a port in use).")
                .sortOptions(false);
        s.addOption(ConfigPathsOption.spec());
        s.addOption(option("--proxy-type", "dataplane|egress", ProxyType.class, new Converters.ProxyTypeConverter(),
                "Run as a sidecar (dataplane) or a zone egress. "
                        + "Default: dataplane if a Dataplane document exists, egress if only a ZoneEgress does.")
                .build());
        s.addOption(option("--admin-address", "HOST:PORT", InetSocketAddress.class, new Converters.HostPortConverter(),
                "Admin API address. Default: 127.0.0.1 and the Dataplane's networking.admin.port "
                        + "(the ZoneEgress's in egress mode), else 9901.")
                .build());
        s.addOption(option("--dns-address", "HOST:PORT", InetSocketAddress.class, new Converters.HostPortConverter(),
                "Where the DNS responder for generated hostnames listens. Default: "
                        + ServerSettings.DEFAULT_DNS_ADDRESS + ".")
                .build());
        s.addOption(option("--dns-enabled", "true|false", boolean.class, null,
                "Serve DNS for generated hostnames (--dns-enabled=false turns it off).")
                .arity("0..1").fallbackValue("true").defaultValue("true").build());
        s.addOption(option("--vip-cidr", "CIDR", String.class, new Converters.CidrConverter(),
                "Range the virtual IPs of MeshExternalServices are taken from. Default: $"
                        + VIP_CIDR_ENV + ", else 242.0.0.0/8.")
                .build());
        s.addOption(option("--mesh-ca", "FILE", Path.class, null, "Mesh CA certificate (PEM) for mesh mTLS.").build());
        s.addOption(option("--identity-cert", "FILE", Path.class, null,
                "This proxy's mesh certificate chain (PEM, SPIFFE URI SAN).").build());
        s.addOption(option("--identity-key", "FILE", Path.class, null,
                "The private key of --identity-cert (PEM).").build());
        s.addOption(option("--drain-timeout", "DURATION", Duration.class, new Converters.DurationConverter(),
                "How long SIGTERM lets live connections finish. Default: ${DEFAULT-VALUE}.")
                .defaultValue("30s").build());
        s.addOption(option("--access-log-format", "text|json", ServerSettings.AccessLogFormat.class,
                new Converters.AccessLogFormatConverter(),
                "Access log lines on stdout: Envoy's default text format or JSON. Default: ${DEFAULT-VALUE}.")
                .defaultValue("text").build());
        s.addOption(option("--concurrency", "N", int.class, new Converters.ConcurrencyConverter(),
                "Data-path event loops (threads that accept, relay and proxy). "
                        + "Default: the number of CPUs the process may use (affinity mask, container CPU limit).")
                .initialValue(0).build());
        spec = HelpOptions.addTo(s);
        return spec;
    }

    private static OptionSpec.Builder option(String name, String label, Class<?> type, ITypeConverter<?> converter,
            String description) {
        OptionSpec.Builder b = OptionSpec.builder(name).paramLabel(label).type(type).description(description);
        return converter == null ? b : b.converters(converter);
    }

    private <T> T value(String option) {
        return spec.findOption(option).getValue();
    }

    @Override
    public Integer call() throws InterruptedException {
        ServerSettings settings = settings();
        ProxyServer server = new ProxyServer(settings, new ConfigFiles(settings.configPaths()), components, new Stats());
        Signals.install(server);
        server.start();
        return server.awaitShutdown();
    }

    /** The checked settings; a bad combination is a one-line {@link ParameterException} (exit 1). */
    ServerSettings settings() {
        InetSocketAddress dnsAddress = value("--dns-address");
        boolean dnsEnabled = value("--dns-enabled");
        String vipCidr = value("--vip-cidr");
        Path meshCa = value("--mesh-ca");
        Path identityCert = value("--identity-cert");
        Path identityKey = value("--identity-key");
        if (dnsAddress != null && !dnsEnabled) {
            throw new ParameterException(spec.commandLine(), "--dns-address cannot be used with --dns-enabled=false");
        }
        InetSocketAddress dns = !dnsEnabled ? null
                : dnsAddress != null ? dnsAddress : HostPort.parse(ServerSettings.DEFAULT_DNS_ADDRESS);
        String cidr = vipCidr;
        if (cidr == null) {
            String env = System.getenv(VIP_CIDR_ENV);
            if (env != null && !env.isBlank()) {
                try {
                    cidr = Cidr.check(env.strip());
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), "$" + VIP_CIDR_ENV + ": " + e.getMessage());
                }
            } else {
                cidr = io.sallyport.core.runtime.RuntimeOptions.DEFAULT_VIP_CIDR;
            }
        }
        int meshFiles = (meshCa != null ? 1 : 0) + (identityCert != null ? 1 : 0) + (identityKey != null ? 1 : 0);
        if (meshFiles != 0 && meshFiles != 3) {
            throw new ParameterException(spec.commandLine(),
                    "--mesh-ca, --identity-cert and --identity-key must be given together");
        }
        checkReadable("--mesh-ca", meshCa);
        checkReadable("--identity-cert", identityCert);
        checkReadable("--identity-key", identityKey);
        return new ServerSettings(ConfigPathsOption.paths(spec), value("--proxy-type"), value("--admin-address"), dns,
                cidr, meshCa, identityCert, identityKey, value("--drain-timeout"), value("--access-log-format"), true,
                this.<Integer>value("--concurrency"));
    }

    private void checkReadable(String option, Path file) {
        if (file != null && !Files.isReadable(file)) {
            throw new ParameterException(spec.commandLine(), option + ": cannot read '" + file + "'");
        }
    }
}
