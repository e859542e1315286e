package io.sallyport.app;

import io.sallyport.core.config.ConfigError;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.runtime.DataPlaneComponent;
import io.sallyport.core.runtime.RuntimeOptions;
import io.sallyport.core.runtime.Snapshot;
import io.sallyport.core.runtime.SnapshotCompiler;
import io.sallyport.core.runtime.SnapshotHolder;
import io.sallyport.core.runtime.SnapshotHolder.ReloadOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the configuration on request (SIGHUP, a file change) on its own thread: read, validate, compile
 * the next snapshot, {@link DataPlaneComponent#apply apply} it to every component, then swap it in. When
 * any step fails the running snapshot stays (components that already took the new one are given the old
 * one back), the errors are logged and kept for {@code /config_dump}.
 *
 * <p>Counts {@code sallyport_config_reload_total{result="success|failure"}} and keeps
 * {@code sallyport_config_generation} at the running snapshot's generation.
 */
final class ConfigReloader implements AutoCloseable {

    static final String RELOADS = "sallyport_config_reload_total";
    static final String GENERATION = "sallyport_config_generation";

    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    private final ConfigSource source;
    private final RuntimeOptions options;
    private final SnapshotHolder holder;
    private final List<DataPlaneComponent> components;
    private final Stats.Counter successes;
    private final Stats.Counter failures;
    private final Stats.Gauge generation;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sallyport-reload");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean pending = new AtomicBoolean();
    private final Consumer<ConfigSource.Loaded> onSwapped;

    /** {@code onSwapped} is told what was loaded each time a new snapshot is swapped in. */
    ConfigReloader(ConfigSource source, RuntimeOptions options, SnapshotHolder holder,
            List<DataPlaneComponent> components, Stats stats, Consumer<ConfigSource.Loaded> onSwapped) {
        this.source = source;
        this.onSwapped = onSwapped;
        this.options = options;
        this.holder = holder;
        this.components = List.copyOf(components);
        this.successes = stats.counter(RELOADS, "result", "success");
        this.failures = stats.counter(RELOADS, "result", "failure");
        this.generation = stats.gauge(GENERATION);
        generation.add(holder.current().generation() - generation.get());
    }

    /**
     * Schedules a reload on the reload thread and returns at once; requests that arrive while one is
     * still waiting to start are folded into it.
     */
    void requestReload(String trigger) {
        if (pending.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    pending.set(false);
                    reloadNow(trigger);
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                pending.set(false); // shutting down
            }
        }
    }

    /** Reloads on the calling thread (the reload thread, or a test) and returns the outcome. */
    synchronized ReloadOutcome reloadNow(String trigger) {
        Snapshot old = holder.current();
        long next = old.generation() + 1;
        List<String> errors = new ArrayList<>();
        ConfigSource.Loaded loaded = source.load();
        Snapshot snapshot = null;
        if (!loaded.ok()) {
            loaded.errors().stream().sorted().map(ConfigError::toString).forEach(errors::add);
            if (errors.isEmpty()) {
                errors.add("configuration could not be read");
            }
        } else {
            SnapshotCompiler.Result compiled = SnapshotCompiler.compile(loaded.config(), options, next);
            if (!compiled.ok()) {
                compiled.errors().stream().sorted().map(ConfigError::toString).forEach(errors::add);
                if (errors.isEmpty()) {
                    errors.add("configuration could not be compiled");
                }
            } else {
                snapshot = compiled.snapshot();
            }
        }
        if (snapshot != null) {
            errors.addAll(applyAll(snapshot, old));
        }
        ReloadOutcome outcome = new ReloadOutcome(Instant.now(), trigger, errors);
        if (errors.isEmpty()) {
            holder.swap(snapshot);
            onSwapped.accept(loaded);
            holder.recordReload(outcome);
            successes.increment();
            generation.add(snapshot.generation() - generation.get());
            log.info("config reloaded ({}): generation {}, {} resources",
                    trigger, snapshot.generation(), snapshot.config().resources().size());
        } else {
            holder.recordReload(outcome);
            failures.increment();
            log.warn("config reload ({}) rejected, keeping generation {}: {} error(s)",
                    trigger, old.generation(), errors.size());
            errors.forEach(e -> log.warn("  {}", e));
        }
        return outcome;
    }

    /** Applies {@code next} to every component; on a failure gives the old snapshot back to those that took it. */
    private List<String> applyAll(Snapshot next, Snapshot old) {
        List<DataPlaneComponent> applied = new ArrayList<>();
        for (DataPlaneComponent c : components) {
            try {
                c.apply(next);
                applied.add(c);
            } catch (Exception e) {
                String error = "cannot apply the new config: " + describe(e);
                for (DataPlaneComponent done : applied) {
                    try {
                        done.apply(old);
                    } catch (Exception back) {
                        log.error("restoring generation {} failed: {}", old.generation(), describe(back));
                    }
                }
                return List.of(error);
            }
        }
        return List.of();
    }

    static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public void close() {
        thread.shutdown(); // a reload in progress finishes; none starts after it
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
