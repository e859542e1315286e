/**
 * PEM parsing for the TLS material configuration carries ({@code caCert}, {@code clientCert},
 * {@code clientKey}): certificates and chains, private keys in PKCS#8, PKCS#1 and SEC1 form, the check
 * that a key belongs to a certificate, and {@link io.sallyport.core.pem.TlsMaterial}, which reads a
 * {@code MeshExternalService}'s data sources and reports problems as config errors. Lives in proxy-core
 * because config validation needs it.
 */
package io.sallyport.core.pem;
