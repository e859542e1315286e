/**
 * The listener matcher: an immutable table, compiled once per snapshot, that picks the most specific
 * rule for a connection by destination port, destination IP/CIDR and server name (SNI or HTTP host),
 * falling back to less specific rules when a more specific level has no match.
 */
package io.sallyport.sni.match;
