/**
 * The transparent listener ({@code transparentProxying.redirectPortOutbound}) and its pieces: recovering
 * the destination a redirected connection was dialed to ({@code SO_ORIGINAL_DST} after iptables REDIRECT,
 * or the local address under TPROXY / AnyIP), sending MeshExternalService VIP traffic to its service,
 * and MeshPassthrough compiled into per-protocol {@link io.sallyport.sni.match.ListenerMatcher}s.
 */
package io.sallyport.listeners.transparent;
