/**
 * Minting a mesh certificate authority and the workload and zone-egress certificates it signs
 * ({@code sallyport ca init}, {@code sallyport ca issue}).
 */
package io.sallyport.egress.ca;
