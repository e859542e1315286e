/**
 * The admin HTTP server (Envoy's admin API, on Netty): readiness, Prometheus metrics, the effective
 * config with every secret redacted, listener and cluster listings, drain and quit.
 *
 * <p>Handlers run on the admin server's single event loop, so they only read in-memory state and never
 * block; anything slow (draining, shutting down) is handed to another thread.
 */
package io.sallyport.core.admin;
