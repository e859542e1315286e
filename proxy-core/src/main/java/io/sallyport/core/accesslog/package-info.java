/**
 * The access logs: one line per TCP connection (and, through the HTTP connection manager, per HTTP
 * request) in Envoy's default format with Envoy's response flags ({@code UF}, {@code UH}, {@code NR}, ...),
 * or as JSON. Event loops only enqueue an entry (lock-free, never blocking); a background
 * {@link io.sallyport.core.accesslog.BatchingLogWriter} formats the queued entries every 50 ms and writes
 * many lines per system call. When that thread falls behind by more than a bounded queue, entries are
 * dropped and counted; closing the log writes everything still queued.
 */
package io.sallyport.core.accesslog;
