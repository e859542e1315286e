package io.sallyport.core.runtime;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A part of the proxy that serves traffic from the current snapshot (listeners, the DNS responder).
 * The process calls {@link #apply} with the first snapshot at start and with every new one on reload,
 * then {@link #drain} and {@link #close} on shutdown.
 */
public interface DataPlaneComponent extends AutoCloseable {

    /**
     * Makes the component serve {@code next}: bind what is new, close what is gone (letting live
     * connections finish), keep what is unchanged. Throws when a socket cannot be bound; the caller then
     * keeps the previous snapshot.
     */
    void apply(Snapshot next) throws Exception;

    /** Stops accepting, then completes when live connections have ended or {@code timeout} passed. */
    CompletableFuture<Void> drain(Duration timeout);

    /** Closes everything at once. */
    @Override
    void close();
}
