package io.sallyport.core.http;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.List;

/**
 * Where an HTTP cluster's connections come from: endpoint choice (load balancing, priority failover)
 * and the raw connect (resolution, transport). The HTTP connection manager adds TLS and the HTTP codecs
 * itself and pools the result per endpoint and event loop.
 */
public interface UpstreamChannelSource {

    /**
     * The endpoints to try for one request, most preferred first; the next one is tried when a connect
     * fails. Called on an event loop: must not block. Empty when the cluster has no reachable endpoint.
     */
    List<UpstreamEndpoint> endpoints();

    /**
     * Connects to {@code endpoint} with a channel registered on {@code loop} and {@code AUTO_READ} off.
     * The future completes on {@code loop} with the active channel (empty pipeline) or the connect failure.
     */
    Future<Channel> connect(UpstreamEndpoint endpoint, EventLoop loop, Duration connectTimeout);
}
