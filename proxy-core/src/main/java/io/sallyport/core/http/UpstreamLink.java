package io.sallyport.core.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpObject;

/**
 * The upstream side of one exchange as a pool hands it out: an HTTP/1.1 connection ({@link UpstreamHandler})
 * or one HTTP/2 stream of a shared connection ({@link Http2UpstreamStream}). Every method runs on the
 * pool's event loop; events come back through the attached {@link UpstreamListener}.
 */
interface UpstreamLink {

    /** Sends this link's events to {@code listener} from now on. */
    void attach(UpstreamListener listener);

    /** Stops the events: the exchange is done with this link. */
    void detach();

    /**
     * Writes a request head, body chunk or end (ownership passes); flushed by {@link #flush()}. A write that
     * fails reaches the attached listener as {@link UpstreamListener#onUpstreamException}.
     */
    void write(HttpObject msg);

    void flush();

    /** The exchange can take more of the response. */
    void read();

    /** Whether more of the request body can be written now (connection, and for HTTP/2 the stream window). */
    boolean isWritable();

    /** Whether this link served an earlier request: a failure before any response byte may be retried. */
    boolean isReused();

    /** The connection carrying this link (the HTTP/1.1 upgrade tunnel takes it over; debug logs describe it). */
    Channel channel();
}
