package io.sallyport.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.SSL;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import java.lang.ref.Cleaner;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * A built client {@link SslContext} for one {@link UpstreamTlsSpec}, and the per-connection
 * {@link SslHandler}s made from it. Obtain it from {@link UpstreamTlsContextFactory#get} when the config
 * is compiled; {@link #newHandler} is cheap and safe to call on an event loop.
 *
 * <h3>Lifetime of a reference-counted context</h3>
 * A BoringSSL {@code SslContext} here is reference-counted (its engines need no finalizer): this object
 * owns one reference, which a {@link Cleaner} releases once this object is unreachable; every engine
 * holds one more until its {@code SslHandler} is removed. Hold this object, not {@link #sslContext()},
 * for as long as you make handlers.
 */
public final class UpstreamTlsContext {

    /** Only BoringSSL and AWS-LC have the renegotiation modes; OpenSSL proper has no such switch. */
    private static final boolean RENEGOTIATE_MODE_SUPPORTED = OpenSsl.isAvailable()
            && (OpenSsl.versionString().contains("BoringSSL") || OpenSsl.versionString().contains("AWS-LC"));

    private static final class Shared {
        static final Cleaner CLEANER = Cleaner.create();
    }

    private final UpstreamTlsSpec spec;
    private final SslContext sslContext;
    private final String refusal;
    /** The SNI for {@code serverName}, resolved once; {@code null} without a serverName. */
    private final String serverNameSni;

    UpstreamTlsContext(UpstreamTlsSpec spec, SslContext sslContext, String refusal) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
        this.refusal = refusal;
        this.serverNameSni = spec.serverName() == null ? null : sni(spec.serverName());
        if (sslContext instanceof ReferenceCounted counted) {
            Shared.CLEANER.register(this, new Release(counted));
        }
    }

    /** Releases this object's reference to the context; refers to the context only, never to its owner. */
    private record Release(ReferenceCounted context) implements Runnable {
        @Override
        public void run() {
            ReferenceCountUtil.release(context);
        }
    }

    public UpstreamTlsSpec spec() {
        return spec;
    }

    public SslContext sslContext() {
        return sslContext;
    }

    /**
     * Why every handshake with this context will be refused, when that is known in advance (the mode
     * checks the chain, there is no {@code caCert}, and no system CA bundle could be read). Handshakes
     * still run and fail with {@link TlsFailureReason#UNKNOWN_CA} and this message.
     */
    public Optional<String> refusal() {
        return Optional.ofNullable(refusal);
    }

    /**
     * A client {@link SslHandler} for one connection to {@code endpointHost:port}.
     *
     * <p>SNI is {@code serverName} when configured, else {@code endpointHost} when it is a DNS name;
     * IP endpoints without a {@code serverName} send no SNI. The same name (or IP) is what the server
     * certificate's SAN must match in the modes that check it. Add the handler first in the upstream
     * pipeline once connected and relay nothing before {@code handshakeFuture()} succeeds.
     *
     * @param endpointHost the endpoint's DNS name or IP literal (IPv6 with or without brackets)
     */
    public SslHandler newHandler(ByteBufAllocator alloc, String endpointHost, int port) {
        String peer = peerName(spec.serverName(), endpointHost);
        SslHandler handler = sslContext.newHandler(alloc, peer, port);
        SSLEngine engine = handler.engine();
        String sni = spec.serverName() != null ? serverNameSni : sni(peer);
        try {
            if (engine instanceof ReferenceCountedOpenSslEngine openSsl) {
                configure(openSsl, sni);
            } else {
                SSLParameters parameters = engine.getSSLParameters();
                parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
                engine.setSSLParameters(parameters);
            }
        } catch (RuntimeException e) {
            ReferenceCountUtil.release(engine);
            throw e;
        }
        return handler;
    }

    /**
     * SNI and the renegotiation mode straight on the BoringSSL connection. Going through
     * {@code get/setSSLParameters} would do the same and also re-read and re-apply every cipher suite
     * and protocol of the engine, the most expensive part of making a handler.
     */
    private void configure(ReferenceCountedOpenSslEngine engine, String sni) {
        synchronized (engine) {
            long ssl = engine.sslPointer();
            if (sni != null) {
                // Netty sets the peer name itself only when it has a dot and no trailing dot; set it always.
                SSL.setTlsExtHostName(ssl, sni);
            }
            if (RENEGOTIATE_MODE_SUPPORTED) {
                setRenegotiation(ssl, spec.allowRenegotiation());
            }
        }
    }

    /** The name the handshake is made for: {@code serverName}, else the endpoint without IPv6 brackets. */
    static String peerName(String serverName, String endpointHost) {
        if (serverName != null) {
            return serverName;
        }
        Objects.requireNonNull(endpointHost, "endpointHost");
        return endpointHost.startsWith("[") && endpointHost.endsWith("]")
                ? endpointHost.substring(1, endpointHost.length() - 1) : endpointHost;
    }

    /** The SNI to send for {@code peer}: none for IP literals or names SNI cannot carry. */
    static List<SNIServerName> sniNames(String peer) {
        String sni = sni(peer);
        return sni == null ? List.of() : List.of(new SNIHostName(sni));
    }

    /**
     * The SNI host name (ASCII, IDN-encoded) for {@code peer}, without a trailing dot; {@code null} for IP
     * literals and names SNI cannot carry.
     */
    static String sni(String peer) {
        if (NetUtil.isValidIpV4Address(peer) || NetUtil.isValidIpV6Address(peer)) {
            return null;
        }
        String name = peer.endsWith(".") ? peer.substring(0, peer.length() - 1) : peer;
        if (isLdhName(name)) {
            // What IDN encoding gives a name that is ASCII letters, digits and hyphens already, without IDN's
            // tables (their loading is a few ms of a start) or its copies (once per TLS connection).
            return name;
        }
        try {
            return new SNIHostName(name).getAsciiName();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Dot-separated labels of 1 to 63 ASCII letters, digits and hyphens, none starting or ending with a hyphen. */
    static boolean isLdhName(String name) {
        int labelStart = 0;
        for (int i = 0; i <= name.length(); i++) {
            if (i == name.length() || name.charAt(i) == '.') {
                int length = i - labelStart;
                if (length == 0 || length > 63 || name.charAt(labelStart) == '-' || name.charAt(i - 1) == '-') {
                    return false;
                }
                labelStart = i + 1;
            } else {
                char c = name.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * BoringSSL refuses renegotiation unless told otherwise; Netty sets "once" for clients. Envoy maps
     * {@code allowRenegotiation} to "freely" and its default to "never"; so do we.
     */
    private static void setRenegotiation(long ssl, boolean allow) {
        try {
            SSL.setRenegotiateMode(ssl, allow ? SSL.SSL_RENEGOTIATE_FREELY : SSL.SSL_RENEGOTIATE_NEVER);
        } catch (Exception e) {
            throw new IllegalStateException("cannot set the renegotiation mode", e);
        }
    }
}
