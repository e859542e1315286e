package io.sallyport.app;

import java.util.List;

/**
 * The data-plane components a {@code sallyport run} process starts, in start order (they are drained and
 * closed in reverse). Each entry builds one component from the {@link ComponentContext}, e.g.
 * {@code ctx -> new ListenerManager(ctx.stats(), ...)}.
 */
public final class DataPlaneComponents {

    private DataPlaneComponents() {
    }

    /** The components of a standard process. */
    public static List<ComponentFactory> builtIn() {
        return List.of();
    }
}
