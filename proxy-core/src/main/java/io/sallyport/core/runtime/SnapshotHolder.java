package io.sallyport.core.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * Holds the current {@link Snapshot}. Readers call {@link #current()} once per connection; a reload
 * swaps the reference and tells the listeners (which bind or close sockets to match).
 */
public final class SnapshotHolder {

    private final AtomicReference<Snapshot> current;
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
}
