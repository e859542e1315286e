package io.sallyport.core.upstream;

import io.netty.channel.Channel;
import io.sallyport.core.cluster.EndpointAddress;
import java.util.Objects;

/** An established upstream connection (handshake done when the cluster originates TLS) and its address. */
public record UpstreamConnection(Channel channel, EndpointAddress address) {
    public UpstreamConnection {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(address, "address");
    }
}
