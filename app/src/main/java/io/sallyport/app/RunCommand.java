package io.sallyport.app;

import io.sallyport.core.metrics.Stats;
import io.sallyport.core.runtime.ProxyType;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code sallyport run}: serve traffic until SIGTERM (drain, exit 0) or {@code /quitquitquit}. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
        header = "Run the proxy until SIGTERM (drain, exit 0) or POST /quitquitquit.",
        description = {"Run the proxy. SIGHUP or any change under a --config path reloads the config; "
                + "SIGTERM drains live connections (up to --drain-timeout) and exits 0.",
            "Exit codes: 0 clean shutdown, 1 invalid config or arguments, 2 runtime failure (e.g. a port in use)."},
        sortOptions = false)
public final class RunCommand implements Callable<Integer> {

    static final String VIP_CIDR_ENV = "KUMA_IPAM_MESH_EXTERNAL_SERVICE_CIDR";

    private final List<ComponentFactory> components;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigPathsOption config = new ConfigPathsOption();

    @Option(names = "--proxy-type", paramLabel = "dataplane|egress", converter = Converters.ProxyTypeConverter.class,
            description = "Run as a sidecar (dataplane) or a zone egress. "
                    + "Default: dataplane if a Dataplane document exists, egress if only a ZoneEgress does.")
    ProxyType proxyType;

    @Option(names = "--admin-address", paramLabel = "HOST:PORT", converter = Converters.HostPortConverter.class,
            description = "Admin API address. Default: 127.0.0.1 and the Dataplane's networking.admin.port "
                    + "(the ZoneEgress's in egress mode), else 9901.")
    InetSocketAddress adminAddress;

    @Option(names = "--dns-address", paramLabel = "HOST:PORT", converter = Converters.HostPortConverter.class,
            description = "Where the DNS responder for generated hostnames listens. Default: "
                    + ServerSettings.DEFAULT_DNS_ADDRESS + ".")
    InetSocketAddress dnsAddress;

    @Option(names = "--dns-enabled", paramLabel = "true|false", arity = "0..1", fallbackValue = "true",
            defaultValue = "true", description = "Serve DNS for generated hostnames (--dns-enabled=false turns it off).")
    boolean dnsEnabled;

    @Option(names = "--vip-cidr", paramLabel = "CIDR", converter = Converters.CidrConverter.class,
            description = "Range the virtual IPs of MeshExternalServices are taken from. Default: $"
                    + VIP_CIDR_ENV + ", else 242.0.0.0/8.")
    String vipCidr;

    @Option(names = "--mesh-ca", paramLabel = "FILE", description = "Mesh CA certificate (PEM) for mesh mTLS.")
    Path meshCa;

    @Option(names = "--identity-cert", paramLabel = "FILE",
            description = "This proxy's mesh certificate chain (PEM, SPIFFE URI SAN).")
    Path identityCert;

    @Option(names = "--identity-key", paramLabel = "FILE", description = "The private key of --identity-cert (PEM).")
    Path identityKey;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            defaultValue = "30s", description = "How long SIGTERM lets live connections finish. Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @Option(names = "--access-log-format", paramLabel = "text|json", defaultValue = "text",
            converter = Converters.AccessLogFormatConverter.class,
            description = "Access log lines on stdout: Envoy's default text format or JSON. Default: ${DEFAULT-VALUE}.")
    ServerSettings.AccessLogFormat accessLogFormat;

    @Option(names = "--concurrency", paramLabel = "N", converter = Converters.ConcurrencyConverter.class,
            description = "Data-path event loops (threads that accept, relay and proxy). "
                    + "Default: the number of CPUs the process may use (affinity mask, container CPU limit).")
    int concurrency;

    public RunCommand(List<ComponentFactory> components) {
        this.components = List.copyOf(components);
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
        return new ServerSettings(config.paths(), proxyType, adminAddress, dns, cidr, meshCa, identityCert,
                identityKey, drainTimeout, accessLogFormat, true, concurrency);
    }

    private void checkReadable(String option, Path file) {
        if (file != null && !Files.isReadable(file)) {
            throw new ParameterException(spec.commandLine(), option + ": cannot read '" + file + "'");
        }
    }
}
