/**
 * The TCP proxy: {@link io.sallyport.core.relay.TcpProxyHandler} takes a downstream connection, connects
 * its cluster and hands both channels to a pair of {@link io.sallyport.core.relay.TcpRelayHandler}s;
 * {@link io.sallyport.core.relay.TcpProxySession} keeps the per-connection counts, writes the access log
 * line and updates the listener gauges when both sides are gone.
 *
 * <p>Both channels of a session live on the same event loop, so session state needs no synchronisation.
 *
 * <h2>Metrics</h2>
 * Per listener ({@code envoy_listener_address="127.0.0.1_4242"}): {@code envoy_listener_downstream_cx_total},
 * {@code envoy_listener_downstream_cx_active} (gauge), {@code envoy_listener_downstream_cx_destroy},
 * {@code envoy_listener_no_filter_chain_match} (the listener's service is gone) and Sallyport's own
 * {@code envoy_listener_downstream_cx_forbidden} (closed unforwarded because the Mesh sets
 * {@code routing.defaultForbidMeshExternalServiceAccess}). Per cluster ({@code envoy_cluster_name="mes-tcp"}):
 * {@code envoy_cluster_upstream_cx_total}, {@code envoy_cluster_upstream_cx_active} (gauge),
 * {@code envoy_cluster_upstream_cx_connect_fail}, {@code envoy_cluster_upstream_cx_connect_timeout},
 * {@code envoy_cluster_upstream_cx_none_healthy}, {@code envoy_cluster_upstream_cx_destroy},
 * {@code envoy_cluster_upstream_cx_tx_bytes_total} (client to service) and
 * {@code envoy_cluster_upstream_cx_rx_bytes_total} (service to client).
 *
 * <h2>Response flags in the access log</h2>
 * {@code UF} every connect attempt failed or timed out; {@code UH} nothing to connect to (a DNS name that
 * does not resolve); {@code NR} forbidden by the Mesh or no service; {@code DC} the client went away while
 * the upstream was being connected.
 *
 * <h2>Splice</h2>
 * Between two plain epoll TCP sockets the bytes are moved with {@code splice(2)} through a pipe per
 * direction ({@link io.sallyport.core.relay.SplicedDirection}); each splice is counted for the metrics and
 * the access log as a read would be. TLS, unix sockets, the NIO transport and bytes a sniffer already read
 * use the buffer relay.
 */
package io.sallyport.core.relay;
