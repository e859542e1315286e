package io.sallyport.core.http;

import io.sallyport.core.config.MeshTimeout;
import java.time.Duration;
import java.util.Objects;

/**
 * The timeouts of one HTTP route or cluster, with Kuma's MeshTimeout meaning. A zero duration means
 * "no limit" (as in Kuma).
 *
 * @param connectionTimeout upstream connect (TCP and TLS handshake) limit
 * @param idleTimeout a connection (downstream or pooled upstream) with no request in flight is closed after this
 * @param requestTimeout from the end of the downstream request to the end of the upstream response
 * @param streamIdleTimeout no byte in either direction of one request for this long ends it
 * @param maxStreamDuration total lifetime of one request, from its first byte
 */
public record HttpTimeouts(
        Duration connectionTimeout, Duration idleTimeout, Duration requestTimeout,
        Duration streamIdleTimeout, Duration maxStreamDuration) {

    /** Kuma's defaults: 5 s, 1 h, 15 s, 30 min, 0 (no limit). */
    public static final HttpTimeouts KUMA_DEFAULTS = from(MeshTimeout.Timeouts.KUMA_DEFAULTS);

    public HttpTimeouts {
        connectionTimeout = nonNegative(connectionTimeout, "connectionTimeout");
        idleTimeout = nonNegative(idleTimeout, "idleTimeout");
        requestTimeout = nonNegative(requestTimeout, "requestTimeout");
        streamIdleTimeout = nonNegative(streamIdleTimeout, "streamIdleTimeout");
        maxStreamDuration = nonNegative(maxStreamDuration, "maxStreamDuration");
    }

    /** The effective timeouts of a MeshTimeout {@code default}; unset fields take Kuma's defaults. */
    public static HttpTimeouts from(MeshTimeout.Timeouts timeouts) {
        MeshTimeout.Timeouts t = timeouts.over(MeshTimeout.Timeouts.KUMA_DEFAULTS);
        return new HttpTimeouts(t.connectionTimeout(), t.idleTimeout(), t.requestTimeout(),
                t.streamIdleTimeout(), t.maxStreamDuration());
    }

    /** A copy with another request timeout. */
    public HttpTimeouts withRequestTimeout(Duration requestTimeout) {
        return new HttpTimeouts(connectionTimeout, idleTimeout, requestTimeout, streamIdleTimeout, maxStreamDuration);
    }

    private static Duration nonNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + d);
        }
        return d;
    }
}
