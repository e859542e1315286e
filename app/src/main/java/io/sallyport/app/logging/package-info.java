/**
 * Sallyport's SLF4J backend: one line per event on stderr with an ISO-8601 timestamp, the level and the
 * logger's short name, levels set per logger-name prefix. It replaces slf4j-simple, whose
 * {@code SimpleDateFormat} timestamps load the JDK's locale data on the way to {@code /ready}.
 */
package io.sallyport.app.logging;
