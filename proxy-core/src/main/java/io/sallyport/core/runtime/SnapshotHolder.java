package io.sallyport.core.runtime;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * Holds the current {@link Snapshot}. Readers call {@link #current()} once per connection; a reload
 * swaps the reference and tells the listeners (which bind or close sockets to match). It also keeps the
 * outcome of the latest reload attempt, so a rejected config can be shown at {@code /config_dump}.
 */
public final class SnapshotHolder {

    /**
     * The outcome of one reload attempt: when, what triggered it ({@code "SIGHUP"}, {@code "file change"}),
     * and the errors that rejected it (empty on success).
     */
    public record ReloadOutcome(Instant at, String trigger, List<String> errors) {
        public ReloadOutcome {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(trigger, "trigger");
            errors = List.copyOf(errors);
        }

        public boolean succeeded() {
            return errors.isEmpty();
        }
    }

    private final AtomicReference<Snapshot> current;
    private final AtomicReference<ReloadOutcome> lastReload = new AtomicReference<>();
    private final AtomicReference<ReloadOutcome> lastFailure = new AtomicReference<>();
    private final List<BiConsumer<Snapshot, Snapshot>> swapListeners = new CopyOnWriteArrayList<>();

    public SnapshotHolder(Snapshot initial) {
        this.current = new AtomicReference<>(initial);
    }

    public Snapshot current() {
        return current.get();
    }

    /** Called with (old, new) after every swap, on the thread that swapped. */
    public void onSwap(BiConsumer<Snapshot, Snapshot> listener) {
        swapListeners.add(listener);
    }

    /** Installs {@code next} and notifies listeners; returns the snapshot it replaced. */
    public Snapshot swap(Snapshot next) {
        Snapshot old = current.getAndSet(next);
        for (BiConsumer<Snapshot, Snapshot> l : swapListeners) {
            l.accept(old, next);
        }
        return old;
    }

    /** Records the outcome of a reload attempt (after the swap, when it succeeded). */
    public void recordReload(ReloadOutcome outcome) {
        lastReload.set(outcome);
        if (!outcome.succeeded()) {
            lastFailure.set(outcome);
        }
    }

    /** The latest reload attempt, or {@code null} when there has been none. */
    public ReloadOutcome lastReload() {
        return lastReload.get();
    }

    /**
     * The errors of the latest reload attempt when it was rejected, joined one per line; {@code null}
     * when the latest attempt succeeded or there has been none (the files and the running config agree).
     */
    public String lastReloadError() {
        ReloadOutcome o = lastReload.get();
        return o == null || o.succeeded() ? null : String.join("\n", o.errors());
    }

    /** The latest rejected reload, even if a later one succeeded; {@code null} when none was rejected. */
    public ReloadOutcome lastFailedReload() {
        return lastFailure.get();
    }
}
