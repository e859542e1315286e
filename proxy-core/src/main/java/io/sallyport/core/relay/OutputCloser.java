package io.sallyport.core.relay;

import io.netty.channel.ChannelHandler;
import io.netty.util.concurrent.Future;

/**
 * A handler that ends its channel's outbound stream at the protocol level (for TLS, a close_notify)
 * when the relay half-closes the channel: the relay calls {@link #closeOutput} after everything it wrote
 * before, and shuts the socket's output down when the returned future completes. Without one in the
 * pipeline the relay uses the channel's {@code SslHandler#closeOutbound()}, if any.
 */
public interface OutputCloser extends ChannelHandler {

    /** Ends the outbound stream; the channel's input must stay readable. */
    Future<?> closeOutput();
}
