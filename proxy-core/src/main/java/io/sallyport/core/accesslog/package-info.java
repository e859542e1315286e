/**
 * The access log: one line per TCP connection (and, later, per HTTP request) in Envoy's default format
 * with Envoy's response flags ({@code UF}, {@code UH}, {@code NR}, ...), or as JSON. Lines are written
 * to stdout by a background thread so event loops never block on the terminal or a pipe; when that
 * thread falls behind by more than a bounded queue, lines are dropped and counted.
 */
package io.sallyport.core.accesslog;
