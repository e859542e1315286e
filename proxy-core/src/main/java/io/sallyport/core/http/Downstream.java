package io.sallyport.core.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpObject;

/**
 * The client side of one {@link ProxyExchange}: an HTTP/1.1 connection ({@link DownstreamHandler}) or one
 * HTTP/2 stream ({@link Http2DownstreamStream}). The exchange writes the response as {@link HttpObject}s and
 * paces the request body with {@link #read()}; everything runs on the connection's event loop.
 */
interface Downstream {

    HttpConnectionManager manager();

    boolean isHttp2();

    /** The client's connection: event loop, allocator, peer address and verified identity. */
    Channel connection();

    /** Writes a response head, body chunk or end (ownership passes); flushed by {@link #flush()}. */
    ChannelFuture write(HttpObject msg);

    /** {@link #write} when the caller needs no future (a failure ends the downstream all the same). */
    default void writeAndForget(HttpObject msg) {
        write(msg);
    }

    void flush();

    /**
     * Whether a read of the client's connection is under way, so the exchange is told
     * {@code onDownstreamReadComplete} (which flushes the upstream) before the event loop moves on: writes
     * made now may leave their flush to it, and a request and its end go out in one flush.
     */
    default boolean flushFollows() {
        return false;
    }

    /** The timeout deadlines of the exchanges on the client's connection. */
    default ExchangeDeadlines deadlines() {
        return ExchangeDeadlines.of(connection());
    }

    /** The client's address as the access log writes it. */
    default String remoteAddress() {
        return ProxyExchange.remoteAddress(connection());
    }

    /** The exchange can take more of the request body (its upstream is writable). */
    void read();

    /** Whether the client can take more of the response now (connection, and for HTTP/2 the stream window). */
    boolean isWritable();

    /** Ends the downstream abruptly: closes the HTTP/1.1 connection, resets the HTTP/2 stream. */
    void abort();

    /**
     * The exchange is over. {@code keepAlive}: the HTTP/1.1 connection may carry the next request;
     * otherwise the connection (or HTTP/2 stream) ends once {@code lastWrite} (may be {@code null}) is done.
     */
    void exchangeDone(ProxyExchange ex, boolean keepAlive, ChannelFuture lastWrite);

    /** The exchange switched the connection to a tunnel (HTTP/1.1 only): the downstream leaves it alone. */
    void upgraded(ProxyExchange ex);
}
