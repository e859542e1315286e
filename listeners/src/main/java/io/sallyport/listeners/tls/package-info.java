/**
 * TLS origination on the listeners' upstream connections: {@link io.sallyport.listeners.tls.UpstreamTlsInitializers}
 * turns a cluster whose MeshExternalService has {@code tls.enabled} into an upstream channel initializer
 * that adds the {@code SslHandler} (SNI, verification mode, client certificate from the
 * {@code tls-origination} module), counts the handshake, and reports refused certificates as
 * non-retryable transport failures.
 */
package io.sallyport.listeners.tls;
