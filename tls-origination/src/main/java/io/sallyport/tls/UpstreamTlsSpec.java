package io.sallyport.tls;

import io.sallyport.core.config.MeshExternalService.SanMatch;
import io.sallyport.core.config.MeshExternalService.TlsVersion;
import io.sallyport.core.config.MeshExternalService.VerificationMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Everything that decides how Sallyport speaks TLS to one external service. Immutable, compared by
 * value: it is the key of the {@code SslContext} cache and of upstream connection pools, so two
 * services with the same TLS settings share one context, and a reload with unchanged settings keeps it.
 *
 * <p>The canonical constructor normalises what a mode makes irrelevant, so equal behaviour means equal
 * keys: modes that do not check the chain carry {@link TrustSource#none()}; modes that do and have no
 * {@code caCert} carry {@link TrustSource#system()}; {@code SkipAll} carries no client certificate
 * (it is never sent). Unset versions become TLS 1.2 (min) and TLS 1.3 (max).
 *
 * @param enabled            {@code spec.tls.enabled}; a disabled spec is never used to build a context
 * @param minVersion         lowest TLS version offered
 * @param maxVersion         highest TLS version offered
 * @param allowRenegotiation whether the server may renegotiate (where the engine lets us decide)
 * @param mode               Kuma's verification mode
 * @param serverName         SNI and expected SAN; {@code null} means the endpoint's own DNS name
 * @param subjectAltNames    extra SAN matchers, any of which is enough
 * @param trust              what the server's chain must lead to
 * @param clientCertificate  the client certificate chain and key, or {@code null}
 * @param alpnProtocols      ALPN protocols to offer, in preference order; empty means no ALPN
 */
public record UpstreamTlsSpec(
        boolean enabled,
        TlsVersion minVersion,
        TlsVersion maxVersion,
        boolean allowRenegotiation,
        VerificationMode mode,
        String serverName,
        List<SanMatch> subjectAltNames,
        TrustSource trust,
        ClientCertificate clientCertificate,
        List<String> alpnProtocols) {

    /** A spec for a service without TLS. */
    public static final UpstreamTlsSpec DISABLED = builder().enabled(false).build();

    public UpstreamTlsSpec {
        minVersion = minVersion == null ? TlsVersion.TLS12 : minVersion;
        maxVersion = maxVersion == null ? TlsVersion.TLS13 : maxVersion;
        if (minVersion.compareTo(maxVersion) > 0) {
            throw new IllegalArgumentException("minVersion " + minVersion + " is above maxVersion " + maxVersion);
        }
        mode = mode == null ? VerificationMode.Secured : mode;
        serverName = serverName == null || serverName.isEmpty() ? null : serverName;
        subjectAltNames = List.copyOf(subjectAltNames == null ? List.of() : subjectAltNames);
        alpnProtocols = List.copyOf(alpnProtocols == null ? List.of() : alpnProtocols);
        if (!checksChain(mode)) {
            trust = TrustSource.none();
        } else if (trust == null || trust instanceof TrustSource.None) {
            trust = TrustSource.system();
        }
        if (mode == VerificationMode.SkipAll) {
            clientCertificate = null;
        }
    }

    // equals/hashCode written out: the spec keys the TLS context cache on the way to /ready, and a record's
    // generated ones link method handles on their first call (~3 % of the start's CPU here).
    @Override
    public boolean equals(Object o) {
        return o instanceof UpstreamTlsSpec s && enabled == s.enabled && minVersion == s.minVersion
                && maxVersion == s.maxVersion && allowRenegotiation == s.allowRenegotiation && mode == s.mode
                && Objects.equals(serverName, s.serverName) && sanEquals(subjectAltNames, s.subjectAltNames)
                && trust.equals(s.trust) && Objects.equals(clientCertificate, s.clientCertificate)
                && alpnProtocols.equals(s.alpnProtocols);
    }

    @Override
    public int hashCode() {
        int h = Boolean.hashCode(enabled);
        h = 31 * h + minVersion.hashCode();
        h = 31 * h + maxVersion.hashCode();
        h = 31 * h + Boolean.hashCode(allowRenegotiation);
        h = 31 * h + mode.hashCode();
        h = 31 * h + Objects.hashCode(serverName);
        for (SanMatch san : subjectAltNames) {
            h = 31 * h + san.type().hashCode() * 31 + san.value().hashCode();
        }
        h = 31 * h + trust.hashCode();
        h = 31 * h + Objects.hashCode(clientCertificate);
        return 31 * h + alpnProtocols.hashCode();
    }

    // SanMatch is a record too: compared field by field for the same reason.
    private static boolean sanEquals(List<SanMatch> a, List<SanMatch> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).type() != b.get(i).type() || !a.get(i).value().equals(b.get(i).value())) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code mode} verifies the server's certificate chain. */
    public static boolean checksChain(VerificationMode mode) {
        return mode == VerificationMode.Secured || mode == VerificationMode.SkipSAN;
    }

    /** Whether {@code mode} verifies the server certificate's subject alternative names. */
    public static boolean checksSan(VerificationMode mode) {
        return mode == VerificationMode.Secured || mode == VerificationMode.SkipCA;
    }

    /** The same spec offering these ALPN protocols (HTTP/2 and HTTP/1.1 clusters differ only here). */
    public UpstreamTlsSpec withAlpn(List<String> protocols) {
        return new UpstreamTlsSpec(enabled, minVersion, maxVersion, allowRenegotiation, mode, serverName,
                subjectAltNames, trust, clientCertificate, protocols);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where the trusted CA certificates come from. */
    public sealed interface TrustSource {

        /** The chain is not checked ({@code SkipCA}, {@code SkipAll}). */
        static TrustSource none() {
            return None.INSTANCE;
        }

        /** The system CA bundle (see {@link SystemTrust}). */
        static TrustSource system() {
            return SystemCa.INSTANCE;
        }

        /** The CA certificates in {@code pem} ({@code caCert}). */
        static TrustSource pem(byte[] pem) {
            return new Pem(pem);
        }

        /** See {@link TrustSource#none()}. */
        enum None implements TrustSource { INSTANCE }

        /** See {@link TrustSource#system()}. */
        enum SystemCa implements TrustSource { INSTANCE }

        /** PEM bytes of one or more CA certificates, compared by content. */
        record Pem(byte[] pem) implements TrustSource {
            public Pem {
                pem = pem.clone();
            }

            @Override
            public byte[] pem() {
                return pem.clone();
            }

            @Override
            public boolean equals(Object o) {
                return o instanceof Pem p && Arrays.equals(pem, p.pem);
            }

            @Override
            public int hashCode() {
                return Arrays.hashCode(pem);
            }

            @Override
            public String toString() {
                return "Pem[" + pem.length + " bytes]";
            }
        }
    }

    /** A client certificate chain (leaf first) and its private key, both PEM, compared by content. */
    public record ClientCertificate(byte[] chainPem, byte[] keyPem) {
        public ClientCertificate {
            chainPem = chainPem.clone();
            keyPem = keyPem.clone();
        }

        @Override
        public byte[] chainPem() {
            return chainPem.clone();
        }

        @Override
        public byte[] keyPem() {
            return keyPem.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ClientCertificate c && Arrays.equals(chainPem, c.chainPem)
                    && Arrays.equals(keyPem, c.keyPem);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(chainPem) + Arrays.hashCode(keyPem);
        }

        @Override
        public String toString() {
            // Never print key material.
            return "ClientCertificate[" + chainPem.length + " bytes chain, key redacted]";
        }
    }

    /** Builds a spec; unset fields take the defaults Kuma documents. */
    public static final class Builder {
        private boolean enabled = true;
        private TlsVersion minVersion;
        private TlsVersion maxVersion;
        private boolean allowRenegotiation;
        private VerificationMode mode = VerificationMode.Secured;
        private String serverName;
        private final List<SanMatch> subjectAltNames = new ArrayList<>();
        private TrustSource trust;
        private ClientCertificate clientCertificate;
        private List<String> alpnProtocols = List.of();

        private Builder() {
        }

        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        public Builder versions(TlsVersion min, TlsVersion max) {
            this.minVersion = min;
            this.maxVersion = max;
            return this;
        }

        public Builder allowRenegotiation(boolean allow) {
            this.allowRenegotiation = allow;
            return this;
        }

        public Builder mode(VerificationMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        public Builder serverName(String serverName) {
            this.serverName = serverName;
            return this;
        }

        public Builder subjectAltName(SanMatch match) {
            this.subjectAltNames.add(Objects.requireNonNull(match, "match"));
            return this;
        }

        public Builder subjectAltNames(List<SanMatch> matches) {
            this.subjectAltNames.addAll(matches);
            return this;
        }

        public Builder trust(TrustSource trust) {
            this.trust = trust;
            return this;
        }

        /** Trust the CA certificates in this PEM text. */
        public Builder caCertPem(String pem) {
            return trust(TrustSource.pem(pem.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }

        public Builder clientCertificate(ClientCertificate clientCertificate) {
            this.clientCertificate = clientCertificate;
            return this;
        }

        /** Send this client certificate chain (PEM, leaf first) with this key (PEM). */
        public Builder clientCertificate(String chainPem, String keyPem) {
            return clientCertificate(new ClientCertificate(
                    chainPem.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    keyPem.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }

        public Builder alpnProtocols(List<String> protocols) {
            this.alpnProtocols = protocols;
            return this;
        }

        public UpstreamTlsSpec build() {
            return new UpstreamTlsSpec(enabled, minVersion, maxVersion, allowRenegotiation, mode, serverName,
                    subjectAltNames, trust, clientCertificate, alpnProtocols);
        }
    }
}
