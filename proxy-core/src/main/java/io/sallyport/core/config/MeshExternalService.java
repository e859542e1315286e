package io.sallyport.core.config;

import java.util.List;
import java.util.Objects;

/**
 * A Kuma {@code MeshExternalService}: a service outside the mesh, how applications address it
 * ({@code match}), where it really is ({@code endpoints}) and how to speak TLS to it ({@code tls}).
 */
public record MeshExternalService(ResourceMeta meta, Match match, List<Endpoint> endpoints, Tls tls, String statusVip)
        implements Resource {

    public MeshExternalService {
        Objects.requireNonNull(match, "match");
        endpoints = List.copyOf(endpoints);
    }

    /** {@code spec.match}: Kuma only knows {@code type: HostnameGenerator}. */
    public record Match(String type, int port, Protocol protocol) {
        public Match {
            type = type == null ? "HostnameGenerator" : type;
            protocol = protocol == null ? Protocol.TCP : protocol;
        }
    }

    /**
     * {@code spec.endpoints[]}: {@code address} is an IP literal, a DNS name or {@code unix:///path};
     * {@code port} is {@code null} for unix sockets; {@code priority} defaults to 0 (most preferred).
     */
    public record Endpoint(String address, Integer port, int priority) {
        public Endpoint {
            Objects.requireNonNull(address, "address");
        }

        public boolean isUnixSocket() {
            return address.startsWith("unix://");
        }
    }

    /** {@code spec.tls}; {@code null} on the MES when absent (plain traffic). */
    public record Tls(boolean enabled, Version version, boolean allowRenegotiation, Verification verification) {
        public Tls {
            version = version == null ? new Version(null, null) : version;
            verification = verification == null ? Verification.DEFAULT : verification;
        }
    }

    /** TLS protocol versions as Kuma names them. */
    public enum TlsVersion { TLS12, TLS13 }

    /** {@code spec.tls.version}; {@code null} bound means unconstrained. */
    public record Version(TlsVersion min, TlsVersion max) { }

    /** Verification modes, with Kuma's documented meaning (see DESIGN §4 for where we differ). */
    public enum VerificationMode { Secured, SkipSAN, SkipCA, SkipAll }

    /** {@code spec.tls.verification}. */
    public record Verification(
            VerificationMode mode, String serverName, List<SanMatch> subjectAltNames,
            DataSource caCert, DataSource clientCert, DataSource clientKey) {

        public static final Verification DEFAULT =
                new Verification(VerificationMode.Secured, null, List.of(), null, null, null);

        public Verification {
            mode = mode == null ? VerificationMode.Secured : mode;
            subjectAltNames = List.copyOf(subjectAltNames);
        }
    }

    /** How a SAN matcher compares. */
    public enum SanMatchType { Exact, Prefix }

    /** {@code subjectAltNames[]}: matched against DNS, IP and URI SANs. */
    public record SanMatch(SanMatchType type, String value) {
        public SanMatch {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(value, "value");
        }
    }
}
