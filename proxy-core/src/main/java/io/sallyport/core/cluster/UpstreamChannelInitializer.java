package io.sallyport.core.cluster;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;

/**
 * Prepares a freshly connected upstream channel before the relay uses it, e.g. adds an
 * {@code SslHandler} for TLS origination. Called on the channel's event loop; the connection counts as
 * established only when the returned future succeeds (a failed handshake is a connect failure and the
 * next endpoint is tried). The cluster's connect timeout covers the initialization too: when it passes
 * first, the future is cancelled and the attempt counts as a connect timeout.
 */
@FunctionalInterface
public interface UpstreamChannelInitializer {

    /**
     * @param channel the connected channel (auto-read off)
     * @param target  the address it is connected to and the endpoint it came from
     * @return a future completing when the channel is ready to carry bytes
     */
    Future<?> initialize(Channel channel, EndpointAddress target);
}
