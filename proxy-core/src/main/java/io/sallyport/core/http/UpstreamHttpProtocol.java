package io.sallyport.core.http;

import io.sallyport.core.config.Protocol;

/** How the proxy speaks to a cluster's endpoints: pooled HTTP/1.1 or multiplexed HTTP/2. */
public enum UpstreamHttpProtocol {
    HTTP1, HTTP2;

    /** {@code http} → HTTP/1.1; {@code http2} and {@code grpc} → HTTP/2. */
    public static UpstreamHttpProtocol of(Protocol protocol) {
        return switch (protocol) {
            case HTTP -> HTTP1;
            case HTTP2, GRPC -> HTTP2;
            default -> throw new IllegalArgumentException("not an HTTP protocol: " + protocol);
        };
    }
}
