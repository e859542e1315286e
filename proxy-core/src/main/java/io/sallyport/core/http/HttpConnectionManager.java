package io.sallyport.core.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import java.util.Objects;
import java.util.function.Function;

/**
 * The downstream side of an HTTP filter chain: installed on an accepted connection (of a MeshExternalService
 * listener with protocol http, http2 or grpc, or an HTTP passthrough port), it detects HTTP/1.1 or h2c by
 * the HTTP/2 connection preface, decodes requests with Netty's codecs, routes each request by its
 * authority through {@code router} and proxies it to the route's cluster.
 *
 * <p>It is a sharable {@link ChannelInitializer}: add it to a pipeline at accept time or after a sniffer
 * has peeked (the bytes must still be unread or be re-fired into the pipeline). The connection's
 * {@code AUTO_READ} is turned off: reads follow the upstream's pace.
 */
@ChannelHandler.Sharable
public final class HttpConnectionManager extends ChannelInitializer<Channel> {

    private final Function<String, HttpRoute> router;
    private final HttpAccessLog accessLog;
    private final HttpDownstreamLimits limits;

    /**
     * @param router    maps a request's authority ({@code Host} or {@code :authority}, as sent, possibly with a
     *                  port) to its route; {@code null} means no route: the client gets 503 naming the domain
     * @param accessLog receives one entry per request
     * @param limits    client-side limits and HTTP/2 defences
     */
    public HttpConnectionManager(Function<String, HttpRoute> router, HttpAccessLog accessLog,
                                 HttpDownstreamLimits limits) {
        this.router = Objects.requireNonNull(router, "router");
        this.accessLog = Objects.requireNonNull(accessLog, "accessLog");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** A connection manager whose every request goes to {@code route} (a MeshExternalService listener). */
    public static HttpConnectionManager forRoute(HttpRoute route, HttpAccessLog accessLog, HttpDownstreamLimits limits) {
        Objects.requireNonNull(route, "route");
        return new HttpConnectionManager(authority -> route, accessLog, limits);
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.config().setAutoRead(false);
        ch.pipeline().addLast("http-detect", new HttpProtocolDetector(this));
    }

    HttpRoute route(String authority) {
        return router.apply(authority);
    }

    HttpAccessLog accessLog() {
        return accessLog;
    }

    HttpDownstreamLimits limits() {
        return limits;
    }

    /** HTTP/1.1 on this connection: codec, {@code 100-continue}, then the proxy handler (which keeps the idle timeout). */
    void configureHttp1(ChannelPipeline p, String after) {
        p.addAfter(after, "http1-handler", new DownstreamHandler(this));
        p.addAfter(after, "http1-continue", new HttpServerExpectContinueHandler());
        p.addAfter(after, "http1-codec", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(16 * 1024)
                .setMaxHeaderSize(limits.maxRequestHeaderBytes())
                .setMaxChunkSize(64 * 1024)
                // Flat header maps: one object and one array per request instead of a hash table and an entry per field.
                .setHeadersFactory(FlatHttpHeadersFactory.HEADERS)
                .setTrailersFactory(FlatHttpHeadersFactory.TRAILERS)));
    }

    /**
     * h2c with prior knowledge: one connection handler that decodes frames and demultiplexes them to
     * per-stream exchanges (no channel per stream), explicit limits, idle timeout.
     */
    void configureHttp2(Channel ch, String after) {
        ChannelPipeline p = ch.pipeline();
        String last = after;
        if (!limits.idleTimeout().isZero()) {
            // Before the HTTP/2 handler, which hands it the connection to follow the streams of (watch).
            p.addAfter(last, "idle", new Http2IdleCloser(limits.idleTimeout()));
            last = "idle";
        }
        p.addAfter(last, "h2", Http2DownstreamConnection.create(this));
        // Streams are flow-controlled one by one; the connection reads continuously.
        ch.config().setAutoRead(true);
    }
}
