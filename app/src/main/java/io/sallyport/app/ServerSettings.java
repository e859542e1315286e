package io.sallyport.app;

import io.sallyport.core.runtime.ProxyType;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What {@code sallyport run} was asked to do, parsed and checked. {@code proxyType} and
 * {@code adminAddress} are {@code null} for "decide from the config"; {@code dnsAddress} is {@code null}
 * when the DNS responder is disabled; the mesh files are {@code null} unless given; {@code concurrency}
 * is the number of data-path event loops, {@code 0} for one per available CPU.
 */
public record ServerSettings(
        List<Path> configPaths, ProxyType proxyType, InetSocketAddress adminAddress,
        InetSocketAddress dnsAddress, String vipCidr, Path meshCa, Path identityCert, Path identityKey,
        Duration drainTimeout, AccessLogFormat accessLogFormat, boolean watchConfig, int concurrency) {

    public static final int DEFAULT_ADMIN_PORT = 9901;
    public static final String DEFAULT_DNS_ADDRESS = "127.0.0.1:15053";
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    /** How access log lines are written to stdout. */
    public enum AccessLogFormat { TEXT, JSON }

    public ServerSettings {
        configPaths = List.copyOf(configPaths);
        if (configPaths.isEmpty()) {
            throw new IllegalArgumentException("at least one --config path is required");
        }
        drainTimeout = drainTimeout == null ? DEFAULT_DRAIN_TIMEOUT : drainTimeout;
        accessLogFormat = accessLogFormat == null ? AccessLogFormat.TEXT : accessLogFormat;
        Objects.requireNonNull(vipCidr, "vipCidr");
        if (concurrency < 0) {
            throw new IllegalArgumentException("concurrency must be >= 0, got " + concurrency);
        }
    }

    /** Settings with the default concurrency (one event loop per available CPU). */
    public ServerSettings(List<Path> configPaths, ProxyType proxyType, InetSocketAddress adminAddress,
                          InetSocketAddress dnsAddress, String vipCidr, Path meshCa, Path identityCert,
                          Path identityKey, Duration drainTimeout, AccessLogFormat accessLogFormat,
                          boolean watchConfig) {
        this(configPaths, proxyType, adminAddress, dnsAddress, vipCidr, meshCa, identityCert, identityKey,
                drainTimeout, accessLogFormat, watchConfig, 0);
    }

    /** Settings for {@code paths} with every other value at its default (tests, embedding). */
    public static ServerSettings defaults(List<Path> paths) {
        return new ServerSettings(paths, null, null, HostPort.parse(DEFAULT_DNS_ADDRESS),
                io.sallyport.core.runtime.RuntimeOptions.DEFAULT_VIP_CIDR, null, null, null,
                DEFAULT_DRAIN_TIMEOUT, AccessLogFormat.TEXT, true);
    }

    /** The same settings with another admin address. */
    public ServerSettings withAdminAddress(InetSocketAddress address) {
        return new ServerSettings(configPaths, proxyType, address, dnsAddress, vipCidr, meshCa, identityCert,
                identityKey, drainTimeout, accessLogFormat, watchConfig, concurrency);
    }

    /** The same settings with the config watcher on or off. */
    public ServerSettings withWatchConfig(boolean watch) {
        return new ServerSettings(configPaths, proxyType, adminAddress, dnsAddress, vipCidr, meshCa, identityCert,
                identityKey, drainTimeout, accessLogFormat, watch, concurrency);
    }

    /** The same settings with {@code eventLoops} data-path event loops ({@code 0}: one per available CPU). */
    public ServerSettings withConcurrency(int eventLoops) {
        return new ServerSettings(configPaths, proxyType, adminAddress, dnsAddress, vipCidr, meshCa, identityCert,
                identityKey, drainTimeout, accessLogFormat, watchConfig, eventLoops);
    }
}
