/**
 * The L7 HTTP connection manager: HTTP/1.1 and h2c downstream, per-request routing by authority,
 * pooled HTTP/1.1 or multiplexed HTTP/2 upstream, hop-by-hop header rules, timeouts, local replies
 * (HTTP and gRPC), Envoy-style access log and per-cluster request counters.
 *
 * <p>Every message between the two sides is a Netty {@code HttpObject}: HTTP/2 streams are adapted with
 * {@code Http2StreamFrameToHttpObjectCodec} on both sides, so one {@link io.sallyport.core.http.ProxyExchange}
 * handles every protocol pairing. All state of one exchange lives on the downstream channel's event loop;
 * upstream connections are opened on that same loop and pooled per loop.
 */
package io.sallyport.core.http;
