/**
 * The L7 HTTP connection manager: HTTP/1.1 and h2c downstream, per-request routing by authority,
 * pooled HTTP/1.1 or multiplexed HTTP/2 upstream, hop-by-hop header rules, timeouts, local replies
 * (HTTP and gRPC), Envoy-style access log and per-cluster request counters.
 *
 * <p>Every message between the two sides is a Netty {@code HttpObject}, so one
 * {@link io.sallyport.core.http.ProxyExchange} handles every protocol pairing. It talks to its client through a
 * {@link io.sallyport.core.http.Downstream}: the HTTP/1.1 connection's handler, or one stream of a downstream
 * HTTP/2 connection, which a single connection-level handler demultiplexes (no channel per stream) and which
 * converts frames to and from {@code HttpObject}s itself. Upstream HTTP/2 streams are child channels adapted
 * with {@code Http2StreamFrameToHttpObjectCodec}. All state of one exchange lives on the downstream
 * connection's event loop; upstream connections are opened on that same loop and pooled per loop.
 */
package io.sallyport.core.http;
