package io.sallyport.core.transport;

import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * The NIO transport's listening channel: Netty's, able to tell when the JDK has really closed its socket
 * (see {@link Transport#closeListening}).
 */
public final class NioListeningChannel extends NioServerSocketChannel {

    /**
     * Whether the socket is gone. The JDK keeps the descriptor of a closed channel open while it is still
     * registered with a selector, and closes it when that selector next runs and drops the cancelled key.
     * Reliable only on this channel's event loop, the thread that runs its selector.
     */
    boolean socketReleased() {
        return !javaChannel().isOpen() && !javaChannel().isRegistered();
    }
}
