package io.sallyport.tls;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.sallyport.core.config.MeshExternalService.TlsVersion;
import io.sallyport.core.config.MeshExternalService.VerificationMode;
import io.sallyport.core.pem.CertificateKeyMatch;
import io.sallyport.core.pem.PemCertificates;
import io.sallyport.core.pem.PemException;
import io.sallyport.core.pem.PemPrivateKeys;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds and caches the client {@link SslContext} of each {@link UpstreamTlsSpec}: equal specs get the
 * same {@link UpstreamTlsContext} (and so share TLS session caches). The engine is BoringSSL through
 * netty-tcnative when it loads, else the JDK's; tests can force either. BoringSSL contexts are Netty's
 * reference-counted ones (no finalizer per connection): each engine holds the context, and the
 * {@link UpstreamTlsContext} that owns it releases its own reference once it is unreachable.
 *
 * <p>Building reads and parses PEM (and the system CA bundle, once per factory), so call {@link #get}
 * when the config is compiled, not on an event loop.
 *
 * <p>Each context: protocols exactly {@code version.min..max} (in every mode); session resumption on
 * (client session cache); the JDK's endpoint identification switched off in favour of
 * {@link UpstreamTrustManager}, which implements the verification mode; the client certificate only
 * when the mode is not {@code SkipAll}; ALPN when the spec lists protocols. With BoringSSL the key
 * exchange groups are {@link #GROUPS} unless {@code -Djdk.tls.namedGroups} names others.
 */
public final class UpstreamTlsContextFactory {

    private static final Logger log = LoggerFactory.getLogger(UpstreamTlsContextFactory.class);

    private static final long SESSION_CACHE_SIZE = 4096;
    private static final long SESSION_TIMEOUT_SECONDS = Duration.ofHours(1).toSeconds();

    /**
     * The key exchange groups offered with BoringSSL, in preference order: X25519 first (the one key
     * share sent), then the NIST curves for servers without it. Netty's default puts the hybrid
     * X25519MLKEM768 first, which costs every handshake an ML-KEM key generation and a 1.2 KB key share
     * even towards the many servers that cannot use it; Envoy's upstream default is X25519 and P-256.
     * {@code -Djdk.tls.namedGroups} (read by Netty) replaces this list, e.g. to offer X25519MLKEM768.
     */
    public static final List<String> GROUPS = List.of("x25519", "secp256r1", "secp384r1", "secp521r1");

    private static final String NAMED_GROUPS_PROPERTY = "jdk.tls.namedGroups";

    private final SslProvider provider;
    private final SystemTrust systemTrust;
    private final LoadingCache<UpstreamTlsSpec, UpstreamTlsContext> cache;
    private SystemChain systemChain;

    private record SystemChain(X509TrustManager trustManager, String problem) { }

    /** The default engine and the system CA bundle from the environment. */
    public UpstreamTlsContextFactory() {
        this(defaultProvider(), SystemTrust.fromEnvironment());
    }

    /**
     * @param provider    {@link SslProvider#OPENSSL} or {@link SslProvider#JDK}
     * @param systemTrust where the system CA bundle is looked for
     */
    public UpstreamTlsContextFactory(SslProvider provider, SystemTrust systemTrust) {
        if (provider != SslProvider.OPENSSL && provider != SslProvider.JDK) {
            throw new IllegalArgumentException("provider must be OPENSSL or JDK: " + provider);
        }
        if (provider == SslProvider.OPENSSL && !OpenSsl.isAvailable()) {
            throw new IllegalStateException("OpenSSL provider requested but netty-tcnative is unavailable",
                    OpenSsl.unavailabilityCause());
        }
        this.provider = provider;
        this.systemTrust = Objects.requireNonNull(systemTrust, "systemTrust");
        // Bounded so that a long series of reloads with changing specs cannot grow it without limit;
        // contexts still referenced by live clusters stay usable after eviction.
        this.cache = Caffeine.newBuilder().maximumSize(1024).build(this::build);
    }

    /** BoringSSL (netty-tcnative) when available, else the JDK. */
    public static SslProvider defaultProvider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    public SslProvider provider() {
        return provider;
    }

    /**
     * The context for {@code spec}, built on first use.
     *
     * @throws IllegalArgumentException when the spec is disabled or its PEM material does not parse
     *         (material resolved by {@link UpstreamTlsSpecs} has already been checked)
     */
    public UpstreamTlsContext get(UpstreamTlsSpec spec) {
        Objects.requireNonNull(spec, "spec");
        if (!spec.enabled()) {
            throw new IllegalArgumentException("TLS is disabled in this spec");
        }
        return cache.get(spec);
    }

    private UpstreamTlsContext build(UpstreamTlsSpec spec) {
        X509TrustManager chain = null;
        String refusal = null;
        if (UpstreamTlsSpec.checksChain(spec.mode())) {
            if (spec.trust() instanceof UpstreamTlsSpec.TrustSource.Pem pem) {
                chain = trustManager(certificates(pem.pem(), "caCert"));
            } else {
                SystemChain system = systemChain();
                chain = system.trustManager();
                refusal = system.problem() == null ? null
                        : "no caCert configured and " + system.problem() + "; refusing to connect in mode "
                                + spec.mode();
                if (refusal != null) {
                    log.warn("upstream TLS ({}): {}", spec.mode(), refusal);
                }
            }
        }
        SubjectAltNameVerifier san = UpstreamTlsSpec.checksSan(spec.mode())
                ? new SubjectAltNameVerifier(spec.subjectAltNames()) : null;
        TrustManager trustManager = new UpstreamTrustManager(chain, refusal, san);

        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(provider == SslProvider.OPENSSL ? SslProvider.OPENSSL_REFCNT : provider)
                .protocols(protocols(spec.minVersion(), spec.maxVersion()))
                .endpointIdentificationAlgorithm(null)
                .trustManager(trustManager)
                .sessionCacheSize(SESSION_CACHE_SIZE)
                .sessionTimeout(SESSION_TIMEOUT_SECONDS);
        if (provider == SslProvider.OPENSSL) {
            // The certificate check runs inside BoringSSL's callback rather than as a delegated task: the
            // SslHandler would run that task on the same event loop right away anyway, through a longer
            // path and one more handshake step; a remembered chain takes microseconds.
            builder.option(OpenSslContextOption.USE_TASKS, false);
            if (!namedGroupsConfigured()) {
                builder.option(OpenSslContextOption.GROUPS, GROUPS.toArray(String[]::new));
            }
        }
        if (spec.clientCertificate() != null && spec.mode() != VerificationMode.SkipAll) {
            List<X509Certificate> clientChain = certificates(spec.clientCertificate().chainPem(), "clientCert");
            PrivateKey key;
            try {
                key = PemPrivateKeys.parse(spec.clientCertificate().keyPem());
                CertificateKeyMatch.check(clientChain.get(0), key);
            } catch (PemException e) {
                throw new IllegalArgumentException("clientKey: " + e.getMessage(), e);
            }
            builder.keyManager(key, clientChain);
        }
        if (!spec.alpnProtocols().isEmpty()) {
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    spec.alpnProtocols()));
        }
        try {
            return new UpstreamTlsContext(spec, builder.build(), refusal);
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot build upstream TLS context: " + e.getMessage(), e);
        }
    }

    private static boolean namedGroupsConfigured() {
        String configured = System.getProperty(NAMED_GROUPS_PROPERTY);
        return configured != null && !configured.isBlank();
    }

    private synchronized SystemChain systemChain() {
        if (systemChain == null) {
            SystemTrust.Bundle bundle = systemTrust.load();
            if (bundle.usable()) {
                log.info("system CA bundle: {} ({} certificates)", bundle.path(), bundle.certificates().size());
                systemChain = new SystemChain(trustManager(bundle.certificates()), null);
            } else {
                systemChain = new SystemChain(null, bundle.problem());
            }
        }
        return systemChain;
    }

    static List<String> protocols(TlsVersion min, TlsVersion max) {
        List<String> protocols = new ArrayList<>();
        for (TlsVersion v : TlsVersion.values()) {
            if (v.compareTo(min) >= 0 && v.compareTo(max) <= 0) {
                protocols.add(v == TlsVersion.TLS12 ? "TLSv1.2" : "TLSv1.3");
            }
        }
        return protocols;
    }

    private static List<X509Certificate> certificates(byte[] pem, String field) {
        try {
            return PemCertificates.parse(pem);
        } catch (PemException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }

    /** The JDK's PKIX trust manager over {@code anchors}. */
    static X509TrustManager trustManager(List<X509Certificate> anchors) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (X509Certificate c : anchors) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager tm : factory.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("no X509TrustManager from " + factory.getAlgorithm());
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build a trust manager", e);
        }
    }
}
