package io.sallyport.app;

import io.sallyport.core.runtime.DataPlaneComponent;

/**
 * Creates one data-plane component (the listener manager, the DNS responder) for a starting process.
 * It is called once, after the admin server is up; the server then calls
 * {@link DataPlaneComponent#apply} with the first snapshot and every reloaded one.
 */
@FunctionalInterface
public interface ComponentFactory {

    /**
     * The component, or {@code null} when these settings do not need it (e.g. the DNS responder with
     * {@code --dns-enabled=false}). Throwing ends the start with exit code 2.
     */
    DataPlaneComponent create(ComponentContext context) throws Exception;
}
