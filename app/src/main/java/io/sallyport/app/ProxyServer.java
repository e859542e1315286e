package io.sallyport.app;

import io.sallyport.Main;
import io.sallyport.core.admin.AdminApi;
import io.sallyport.core.admin.AdminRoutes;
import io.sallyport.core.admin.AdminServer;
import io.sallyport.core.admin.ConfigDump;
import io.sallyport.core.admin.ConfigListing;
import io.sallyport.core.admin.PrometheusMetrics;
import io.sallyport.core.admin.ServerState;
import io.sallyport.core.config.ConfigError;
import io.sallyport.core.cluster.ClusterSpec;
import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.Dataplane;
import io.sallyport.core.config.ZoneEgress;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.runtime.DataPlaneComponent;
import io.sallyport.core.runtime.ProxyType;
import io.sallyport.core.runtime.RuntimeOptions;
import io.sallyport.core.runtime.Snapshot;
import io.sallyport.core.runtime.SnapshotCompiler;
import io.sallyport.core.runtime.SnapshotHolder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running proxy: loads and compiles the config, serves the admin API, starts the data-plane
 * components, reloads on request, and shuts down (draining first unless asked to quit at once).
 *
 * <p>Lifecycle: {@link #start()} (throws {@link CommandFailure} with exit code 1 for an invalid config,
 * 2 when something cannot be bound), then {@link #awaitShutdown()} on the main thread, which returns the
 * exit code once {@link #shutdown} was called (by a signal, {@code /quitquitquit}) and everything is closed.
 */
public final class ProxyServer {

    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);
    private static final Duration DEBOUNCE = Duration.ofMillis(200);

    private final ServerSettings settings;
    private final ConfigSource source;
    private final List<ComponentFactory> factories;
    private final Stats stats;

    private final AtomicReference<ServerState> state = new AtomicReference<>(ServerState.PRE_INITIALIZING);
    private final CompletableFuture<Boolean> shutdownRequested = new CompletableFuture<>();
    /** Completed to stop waiting for a drain (a second SIGTERM or Ctrl-C). */
    private final CompletableFuture<Void> drainCut = new CompletableFuture<>();
    private final List<DataPlaneComponent> components = new ArrayList<>();
    private final Stats.Gauge serverState;
    private final Stats.Gauge serverLive;

    private final AtomicReference<List<String>> loadedFiles = new AtomicReference<>(List.of());
    private ProxyType proxyType;
    private SnapshotHolder holder;
    private PrometheusMetrics metrics;
    private AdminServer admin;
    private volatile ConfigReloader reloader;
    private ConfigWatcher watcher;

    public ProxyServer(ServerSettings settings, ConfigSource source, List<ComponentFactory> factories, Stats stats) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.source = Objects.requireNonNull(source, "source");
        this.factories = List.copyOf(factories);
        this.stats = Objects.requireNonNull(stats, "stats");
        this.serverState = stats.gauge("envoy_server_state");
        this.serverLive = stats.gauge("envoy_server_live");
        setState(ServerState.PRE_INITIALIZING);
    }

    /** Starts everything; when this returns, {@code /ready} answers 200. */
    public synchronized void start() {
        ConfigSource.Loaded loaded = source.load();
        if (!loaded.ok()) {
            throw invalid(loaded.errors());
        }
        proxyType = resolveProxyType(settings.proxyType(), loaded.config());
        RuntimeOptions options = new RuntimeOptions(proxyType, settings.vipCidr(), settings.meshCa(),
                settings.identityCert(), settings.identityKey());
        SnapshotCompiler.Result compiled = SnapshotCompiler.compile(loaded.config(), options, 1);
        if (!compiled.ok()) {
            throw invalid(compiled.errors());
        }
        Snapshot first = compiled.snapshot();
        requireMeshIdentityForZoneEgress(first);
        holder = new SnapshotHolder(first);
        loadedFiles.set(loaded.files());
        try {
            metrics = new PrometheusMetrics(stats);
            AdminRoutes routes = new AdminRoutes();
            List<String> paths = settings.configPaths().stream().map(Path::toString).toList();
            AdminApi.install(routes, control(), holder, metrics, new ConfigDump(proxyType, paths, loadedFiles::get), proxyType);
            InetSocketAddress adminAddress = settings.adminAddress() != null
                    ? settings.adminAddress() : defaultAdminAddress(proxyType, first.config());
            try {
                admin = AdminServer.bind(adminAddress, routes);
            } catch (IOException e) {
                throw new CommandFailure(Main.EXIT_RUNTIME_FAILURE, "sallyport: " + e.getMessage());
            }
            ComponentContext context = new ComponentContext(
                    settings, options, stats, holder, routes, metrics::registry);
            for (ComponentFactory f : factories) {
                DataPlaneComponent c = create(f, context);
                if (c == null) {
                    continue; // not needed with these settings (e.g. DNS disabled)
                }
                components.add(c);
                try {
                    c.apply(first);
                } catch (Exception e) {
                    throw new CommandFailure(Main.EXIT_RUNTIME_FAILURE,
                            "sallyport: cannot start " + name(c) + ": " + ConfigReloader.describe(e));
                }
            }
            reloader = new ConfigReloader(source, options, holder, components, stats,
                    l -> loadedFiles.set(l.files()));
            if (settings.watchConfig()) {
                try {
                    watcher = new ConfigWatcher(settings.configPaths(), DEBOUNCE,
                            () -> reload("file change"));
                    watcher.start();
                } catch (IOException e) {
                    log.warn("config files are not watched ({}); reload with SIGHUP", e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            closeAll();
            throw e;
        }
        setState(ServerState.LIVE);
        // Only now: whoever asked during the start (waiting in the accept queue) gets 200 at once (AdminServer).
        admin.startAccepting();
        log.info("Sallyport {} started: mode={}, listeners=[{}], admin={}, config generation {} ({} resources from {})",
                Version.current(), proxyType.cliName(), listenerSummary(first),
                HostPort.format(admin.localAddress()), first.generation(), first.config().resources().size(),
                settings.configPaths().stream().map(Path::toString).collect(Collectors.joining(", ")));
    }

    /**
     * A sidecar whose Mesh sends MeshExternalService traffic through the zone egress needs its mesh identity:
     * without {@code --mesh-ca/--identity-cert/--identity-key} that is an argument error (exit 1), found
     * before anything is bound.
     */
    private void requireMeshIdentityForZoneEgress(Snapshot snapshot) {
        if (proxyType == ProxyType.EGRESS || settings.meshCa() != null) {
            return;
        }
        snapshot.clusters().values().stream()
                .filter(c -> c.viaZoneEgress() != null)
                .min(java.util.Comparator.comparing(ClusterSpec::name))
                .ifPresent(c -> {
                    throw new CommandFailure(Main.EXIT_INVALID, "sallyport run: MeshExternalService " + c.name()
                            + " goes through the zone egress (Mesh " + c.viaZoneEgress().mesh()
                            + " has routing.zoneEgress and mTLS): give --mesh-ca, --identity-cert and --identity-key");
                });
    }

    private static DataPlaneComponent create(ComponentFactory f, ComponentContext context) {
        try {
            return f.create(context);
        } catch (CommandFailure e) {
            throw e;
        } catch (Exception e) {
            throw new CommandFailure(Main.EXIT_RUNTIME_FAILURE,
                    "sallyport: cannot create a component: " + ConfigReloader.describe(e));
        }
    }

    private String listenerSummary(Snapshot snapshot) {
        List<String> compiled = new ArrayList<>();
        snapshot.listeners().forEach(l -> compiled.add(HostPort.format(l.address()) + " -> " + l.cluster()));
        if (snapshot.transparent() != null) {
            compiled.add(HostPort.format(snapshot.transparent().address()) + " -> original destination");
        }
        if (!compiled.isEmpty()) {
            return String.join(", ", compiled);
        }
        return ConfigListing.listeners(snapshot.config(), proxyType).stream()
                .map(l -> l.address() + " -> " + l.target())
                .collect(Collectors.joining(", "));
    }

    /** Dataplane mode unless asked otherwise or the config has a ZoneEgress and no Dataplane. */
    static ProxyType resolveProxyType(ProxyType requested, ConfigSet config) {
        if (requested != null) {
            return requested;
        }
        if (config.first(Dataplane.class).isPresent()) {
            return ProxyType.DATAPLANE;
        }
        return config.first(ZoneEgress.class).isPresent() ? ProxyType.EGRESS : ProxyType.DATAPLANE;
    }

    /** 127.0.0.1 and the Dataplane's (or, in egress mode, the ZoneEgress's) admin port, else 9901. */
    static InetSocketAddress defaultAdminAddress(ProxyType type, ConfigSet config) {
        Integer port = type == ProxyType.EGRESS
                ? config.first(ZoneEgress.class).map(ZoneEgress::adminPort).orElse(null)
                : config.first(Dataplane.class).map(Dataplane::adminPort).orElse(null);
        return new InetSocketAddress("127.0.0.1", port == null ? ServerSettings.DEFAULT_ADMIN_PORT : port);
    }

    private static CommandFailure invalid(List<ConfigError> errors) {
        List<String> lines = errors.stream().sorted().map(ConfigError::toString).toList();
        return new CommandFailure(Main.EXIT_INVALID, lines.isEmpty() ? List.of("sallyport: invalid configuration") : lines);
    }

    private AdminApi.Control control() {
        return new AdminApi.Control() {
            @Override
            public ServerState state() {
                return state.get();
            }

            @Override
            public void drainListeners() {
                setState(ServerState.DRAINING); // before answering, so /ready is 503 at once
                Thread t = new Thread(() -> drainComponents("/drain_listeners"), "sallyport-drain");
                t.setDaemon(true);
                t.start();
            }

            @Override
            public void quit() {
                shutdown(false);
            }
        };
    }

    /**
     * Asks for a reload (SIGHUP, a file change); returns at once. Ignored unless LIVE: a draining process
     * must not bind new listeners.
     */
    public void reload(String trigger) {
        ConfigReloader r = reloader;
        if (r == null || state.get() != ServerState.LIVE) {
            log.info("reload ({}) ignored: the server is {}", trigger, state.get());
            return;
        }
        r.requestReload(trigger);
    }

    /**
     * Asks the process to stop: draining first ({@code drain}, SIGTERM) or at once ({@code /quitquitquit}).
     * Asked again while draining, it stops waiting for live connections and closes them.
     */
    public void shutdown(boolean drain) {
        if (!shutdownRequested.complete(drain) && !drainCut.isDone()) {
            log.warn("asked again to stop: closing live connections without waiting for the drain");
            drainCut.complete(null);
        }
    }

    /**
     * Blocks until {@link #shutdown} is called, then turns {@code /ready} to 503, drains (up to the drain
     * timeout) when asked to, closes everything and returns the exit code (0).
     */
    public int awaitShutdown() throws InterruptedException {
        boolean drain;
        try {
            drain = shutdownRequested.get();
        } catch (ExecutionException e) {
            drain = false;
        }
        stop(drain);
        return Main.EXIT_OK;
    }

    /** Stops at once or after draining; idempotent. */
    public synchronized void stop(boolean drain) {
        shutdownRequested.complete(drain);
        if (state.get() == ServerState.LIVE || state.get() == ServerState.DRAINING) {
            if (drain) {
                log.info("draining (up to {}s), then stopping", settings.drainTimeout().toSeconds());
                drainComponents("shutdown");
            } else {
                log.info("stopping");
            }
        }
        closeAll();
    }

    private void drainComponents(String why) {
        setState(ServerState.DRAINING);
        List<DataPlaneComponent> reversed = new ArrayList<>(components);
        Collections.reverse(reversed);
        List<CompletableFuture<Void>> drains = new ArrayList<>();
        for (DataPlaneComponent c : reversed) {
            try {
                drains.add(c.drain(settings.drainTimeout()));
            } catch (RuntimeException e) {
                log.warn("draining {} failed: {}", name(c), ConfigReloader.describe(e));
            }
        }
        try {
            CompletableFuture.anyOf(CompletableFuture.allOf(drains.toArray(CompletableFuture[]::new)), drainCut)
                    .get(settings.drainTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            log.info(drainCut.isDone() ? "drain cut short ({})" : "drained ({})", why);
        } catch (TimeoutException e) {
            log.warn("drain timeout of {}s reached ({}); closing live connections",
                    settings.drainTimeout().toSeconds(), why);
        } catch (ExecutionException e) {
            log.warn("drain failed ({}): {}", why, ConfigReloader.describe(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeAll() {
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
        if (reloader != null) {
            reloader.close();
            reloader = null;
        }
        for (int i = components.size() - 1; i >= 0; i--) {
            DataPlaneComponent c = components.get(i);
            try {
                c.close();
            } catch (RuntimeException e) {
                log.warn("closing {} failed: {}", name(c), ConfigReloader.describe(e));
            }
        }
        components.clear();
        if (admin != null) {
            admin.close();
            admin = null;
        }
        if (metrics != null) {
            metrics.close();
            metrics = null;
        }
    }

    private void setState(ServerState s) {
        state.set(s);
        serverState.add(s.envoyCode() - serverState.get());
        serverLive.add((s == ServerState.LIVE ? 1 : 0) - serverLive.get());
    }

    private static String name(DataPlaneComponent c) {
        String simple = c.getClass().getSimpleName();
        return simple.isEmpty() ? c.getClass().getName() : simple;
    }

    /** The bound admin address (after {@link #start()}). */
    public InetSocketAddress adminAddress() {
        return admin.localAddress();
    }

    /** The snapshot holder (after {@link #start()}). */
    public SnapshotHolder snapshots() {
        return holder;
    }

    public ServerState state() {
        return state.get();
    }

    /** The reloader, for tests that reload synchronously. */
    ConfigReloader reloader() {
        return reloader;
    }
}
