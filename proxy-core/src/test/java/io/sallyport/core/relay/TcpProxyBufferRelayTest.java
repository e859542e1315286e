package io.sallyport.core.relay;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link TcpProxyTest} on the platform transport with splice off: the buffer relay that TLS and
 * sniffed connections use on epoll.
 */
class TcpProxyBufferRelayTest extends TcpProxyTest {

    @Override
    boolean splices() {
        return false;
    }

    @BeforeAll
    void spliceOff() {
        TcpRelayHandler.spliceEnabled = false;
    }

    @AfterAll
    void spliceOn() {
        TcpRelayHandler.spliceEnabled = true;
    }
}
