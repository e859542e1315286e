package io.sallyport.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;

/**
 * The shortest path from a spec to a handler, over one process-wide {@link UpstreamTlsContextFactory}
 * (default engine, system CA from the environment). Components that own their own factory (tests,
 * forced engines) use {@link UpstreamTlsContextFactory#get} and {@link UpstreamTlsContext#newHandler}.
 */
public final class UpstreamTls {

    private static final class Shared {
        static final UpstreamTlsContextFactory FACTORY = new UpstreamTlsContextFactory();
    }

    private UpstreamTls() {
    }

    /** The process-wide factory. */
    public static UpstreamTlsContextFactory factory() {
        return Shared.FACTORY;
    }

    /**
     * An {@link SslHandler} for one upstream connection. The first call for a spec builds its context
     * (reads files): warm it with {@code factory().get(spec)} when compiling the config.
     */
    public static SslHandler newHandler(ByteBufAllocator alloc, UpstreamTlsSpec spec, String endpointHost, int port) {
        return Shared.FACTORY.get(spec).newHandler(alloc, endpointHost, port);
    }
}
