/**
 * Protocol sniffing without consuming: the TLS ClientHello (SNI, ALPN), the HTTP/1 request line and
 * {@code Host}, the HTTP/2 connection preface (and the first request's {@code :authority}), and the
 * Netty handler that buffers a connection's first bytes, decides, and hands the untouched stream on.
 */
package io.sallyport.sni.sniff;
