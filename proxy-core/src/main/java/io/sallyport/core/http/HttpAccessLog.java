package io.sallyport.core.http;

/**
 * Receives one entry per finished HTTP request. Called on an event loop: implementations must not block
 * (hand the line to a writer thread).
 */
@FunctionalInterface
public interface HttpAccessLog {

    /** Discards every entry. */
    HttpAccessLog NONE = entry -> { };

    void log(HttpAccessLogEntry entry);
}
