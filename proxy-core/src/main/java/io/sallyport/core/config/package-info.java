/**
 * Configuration documents (Kuma resources) as immutable records, the YAML loader that reads them with
 * line numbers, and the validator that checks them with Kuma's rules.
 *
 * <p>{@link io.sallyport.core.config.ConfigLoader#load} is the entry point: it expands {@code --config}
 * paths, splits files into YAML documents (SnakeYAML node trees, which keep every key's line), reads
 * each document in Universal or Kubernetes form into a record (one package-private reader per kind,
 * reporting type, range and Kuma rule errors at the field's path and line), then runs the
 * cross-resource rules of {@link io.sallyport.core.config.ConfigValidator}. Every error is returned,
 * none thrown; a resource with an error is left out of the {@link io.sallyport.core.config.ConfigSet}.
 *
 * <p>Records here mirror the YAML field names. Nothing in this package opens a socket or resolves a
 * name: the {@code io.sallyport.core.runtime} package compiles a validated
 * {@link io.sallyport.core.config.ConfigSet} into the runtime snapshot the data path reads.
 */
package io.sallyport.core.config;
