/**
 * The HTTP side of the listeners: the per-snapshot {@link io.sallyport.core.http.HttpCluster}s of
 * MeshExternalServices with protocol http, http2 or grpc, and their upstream TLS with ALPN.
 */
package io.sallyport.listeners.http;
