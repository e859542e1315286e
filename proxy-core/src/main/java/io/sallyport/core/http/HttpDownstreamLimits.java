package io.sallyport.core.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits the connection manager enforces on clients, set explicitly (Envoy's defaults where it has one).
 *
 * @param maxRequestHeaderBytes request line plus headers (HTTP/1) or header list (HTTP/2); over it → 431
 * @param maxRequestHeaders     header fields per request; over it → 431
 * @param maxConcurrentStreams  HTTP/2 {@code SETTINGS_MAX_CONCURRENT_STREAMS} we advertise
 * @param maxRstFramesPerWindow HTTP/2 resets a client may send per {@code rstWindowSeconds} before the
 *                              connection is closed (Rapid Reset defence)
 * @param rstWindowSeconds      the window of the reset limit
 * @param idleTimeout           a downstream connection with no request in flight is closed after this
 */
public record HttpDownstreamLimits(
        int maxRequestHeaderBytes, int maxRequestHeaders, int maxConcurrentStreams,
        int maxRstFramesPerWindow, int rstWindowSeconds, Duration idleTimeout) {

    /** 60 KiB and 100 headers (Envoy's defaults), 1024 streams, 200 resets per 30 s, 1 h idle (Kuma's). */
    public static final HttpDownstreamLimits DEFAULTS =
            new HttpDownstreamLimits(60 * 1024, 100, 1024, 200, 30, Duration.ofHours(1));

    public HttpDownstreamLimits {
        positive(maxRequestHeaderBytes, "maxRequestHeaderBytes");
        positive(maxRequestHeaders, "maxRequestHeaders");
        positive(maxConcurrentStreams, "maxConcurrentStreams");
        positive(maxRstFramesPerWindow, "maxRstFramesPerWindow");
        positive(rstWindowSeconds, "rstWindowSeconds");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
    }

    /** A copy with another idle timeout (the listener's MeshTimeout {@code idleTimeout}). */
    public HttpDownstreamLimits withIdleTimeout(Duration idleTimeout) {
        return new HttpDownstreamLimits(maxRequestHeaderBytes, maxRequestHeaders, maxConcurrentStreams,
                maxRstFramesPerWindow, rstWindowSeconds, idleTimeout);
    }

    private static void positive(int v, String name) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + v);
        }
    }
}
