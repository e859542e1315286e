/** Sidecar connections to the zone egress: mesh mTLS with the Kuma SNI, composed with direct TLS origination. */
package io.sallyport.egress.upstream;
