/**
 * TLS origination towards external services: the immutable {@link io.sallyport.tls.UpstreamTlsSpec}
 * resolved from a {@code MeshExternalService}'s {@code spec.tls}, the cached
 * {@link io.sallyport.tls.UpstreamTlsContextFactory}, Kuma's four verification modes implemented as a
 * trust-manager chain (CA check, then SAN check), the system CA bundle, and handshake failure
 * classification and counters.
 */
package io.sallyport.tls;
