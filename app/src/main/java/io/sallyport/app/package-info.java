/**
 * The Sallyport process: the {@code run} and {@code validate} commands, the {@link io.sallyport.app.ProxyServer}
 * lifecycle (admin server, data-plane components, reload, drain), the config file watcher and signal handling.
 *
 * <p>Data-plane components (listeners, DNS responder) are plugged in as
 * {@link io.sallyport.app.ComponentFactory}s listed in {@link io.sallyport.app.DataPlaneComponents}.
 */
package io.sallyport.app;
