/**
 * Configuration documents (Kuma resources) as immutable records, the YAML loader that reads them with
 * line numbers, and the validator that checks them with Kuma's rules.
 *
 * <p>Records here mirror the YAML field names. Nothing in this package opens a socket: the
 * {@code io.sallyport.core.runtime} package compiles a validated {@link io.sallyport.core.config.ConfigSet}
 * into the runtime snapshot the data path reads.
 */
package io.sallyport.core.config;
