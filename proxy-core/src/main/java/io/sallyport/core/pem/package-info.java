/**
 * PEM parsing for the TLS material configuration carries ({@code caCert}, {@code clientCert},
 * {@code clientKey}): certificates and chains, private keys in PKCS#8, PKCS#1 and SEC1 form, and the
 * check that a key belongs to a certificate. Lives in proxy-core because config validation needs it.
 */
package io.sallyport.core.pem;
