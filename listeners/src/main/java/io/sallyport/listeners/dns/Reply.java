package io.sallyport.listeners.dns;

import io.netty.buffer.ByteBuf;

/** Sends one DNS response back to the client that asked, over the transport it asked on. */
@FunctionalInterface
interface Reply {

    /** Sends {@code response} (without a TCP length prefix); takes ownership of the buffer. */
    void send(ByteBuf response);
}
