/**
 * The TCP proxy: {@link io.sallyport.core.relay.TcpProxyHandler} takes a downstream connection, connects
 * its cluster and hands both channels to a pair of {@link io.sallyport.core.relay.TcpRelayHandler}s;
 * {@link io.sallyport.core.relay.TcpProxySession} keeps the per-connection counts, writes the access log
 * line and updates the listener gauges when both sides are gone.
 *
 * <p>Both channels of a session live on the same event loop, so session state needs no synchronisation.
 */
package io.sallyport.core.relay;
