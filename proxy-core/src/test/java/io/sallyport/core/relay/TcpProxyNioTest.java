package io.sallyport.core.relay;

import io.sallyport.core.transport.Transport;

/** {@link TcpProxyTest} on the NIO transport, the fallback where epoll is not available. */
class TcpProxyNioTest extends TcpProxyTest {

    @Override
    Transport transport() {
        return Transport.nio();
    }
}
