package io.sallyport.sni.sniff;

/** The protocol {@link ProtocolSniffHandler} recognised at the start of a connection. */
public enum SniffedProtocol {
    /** A TLS ClientHello: route by SNI; the TLS stays untouched. */
    TLS,
    /** An HTTP/1.x request: route by {@code Host}. */
    HTTP1,
    /** The HTTP/2 prior-knowledge preface (h2c): route by the first request's {@code :authority}. */
    HTTP2,
    /** Anything else, including nothing at all before the timeout (server-speaks-first protocols). */
    RAW
}
