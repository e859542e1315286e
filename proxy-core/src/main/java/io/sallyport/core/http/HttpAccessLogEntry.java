package io.sallyport.core.http;

import java.time.Instant;

/**
 * What the access log records about one HTTP request (Envoy's command operators, by name).
 *
 * @param startTime     {@code %START_TIME%}
 * @param method        {@code %REQ(:METHOD)%}
 * @param path          {@code %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%}
 * @param protocol      {@code %PROTOCOL%}: {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2}
 * @param responseCode  {@code %RESPONSE_CODE%}, 0 when no response was sent
 * @param responseFlags {@code %RESPONSE_FLAGS%}, e.g. {@code UF,URX}; {@code -} when none
 * @param bytesReceived request body bytes
 * @param bytesSent     response body bytes
 * @param durationMillis {@code %DURATION%}
 * @param upstreamServiceTimeMillis time to the first upstream response byte, -1 when none
 * @param forwardedFor  {@code x-forwarded-for} or {@code null}
 * @param userAgent     {@code user-agent} or {@code null}
 * @param requestId     {@code x-request-id}
 * @param authority     {@code :authority} / {@code Host} as the client sent it
 * @param upstreamHost  {@code %UPSTREAM_HOST%} or {@code null}
 * @param upstreamCluster the cluster name or {@code null} when unrouted
 * @param downstreamRemoteAddress the client's address ({@code %DOWNSTREAM_REMOTE_ADDRESS%}) or {@code null}
 * @param downstreamPeerUriSan the client certificate's URI SAN ({@code %DOWNSTREAM_PEER_URI_SAN%}: the
 *                      caller's SPIFFE ID at the zone egress) or {@code null} when no peer was verified
 */
public record HttpAccessLogEntry(
        Instant startTime, String method, String path, String protocol, int responseCode, String responseFlags,
        long bytesReceived, long bytesSent, long durationMillis, long upstreamServiceTimeMillis,
        String forwardedFor, String userAgent, String requestId, String authority, String upstreamHost,
        String upstreamCluster, String downstreamRemoteAddress, String downstreamPeerUriSan) {

    /** An entry for a connection without a verified peer identity. */
    public HttpAccessLogEntry(
            Instant startTime, String method, String path, String protocol, int responseCode, String responseFlags,
            long bytesReceived, long bytesSent, long durationMillis, long upstreamServiceTimeMillis,
            String forwardedFor, String userAgent, String requestId, String authority, String upstreamHost,
            String upstreamCluster, String downstreamRemoteAddress) {
        this(startTime, method, path, protocol, responseCode, responseFlags, bytesReceived, bytesSent, durationMillis,
                upstreamServiceTimeMillis, forwardedFor, userAgent, requestId, authority, upstreamHost,
                upstreamCluster, downstreamRemoteAddress, null);
    }
}
