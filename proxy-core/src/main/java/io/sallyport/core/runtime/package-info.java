/**
 * The immutable runtime snapshot compiled from a validated configuration, and the holder that swaps it
 * atomically on reload. Connections keep the snapshot they started with.
 */
package io.sallyport.core.runtime;
