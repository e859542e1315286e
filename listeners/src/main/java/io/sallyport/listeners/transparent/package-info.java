/**
 * The transparent listener's pieces: recovering the destination a redirected connection was dialed to
 * ({@code SO_ORIGINAL_DST} after iptables REDIRECT, or the local address under TPROXY / AnyIP).
 */
package io.sallyport.listeners.transparent;
