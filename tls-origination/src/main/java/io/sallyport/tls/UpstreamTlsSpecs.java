package io.sallyport.tls;

import io.sallyport.core.config.ConfigError;
import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.config.MeshExternalService.Tls;
import io.sallyport.core.config.MeshExternalService.Verification;
import io.sallyport.core.pem.TlsMaterial;
import java.util.List;

/**
 * Turns a {@code MeshExternalService}'s {@code spec.tls} into an {@link UpstreamTlsSpec}. The data sources
 * are read and checked by {@link TlsMaterial} (in proxy-core, where the config validator calls it too);
 * its errors are returned as they are. Reads files: call it when the config is compiled.
 */
public final class UpstreamTlsSpecs {

    private UpstreamTlsSpecs() {
    }

    /**
     * The outcome of resolving one service's TLS settings.
     *
     * @param spec   the spec, {@link UpstreamTlsSpec#DISABLED} when TLS is off, {@code null} when there are errors
     * @param errors the problems found, empty when {@code spec} is usable
     */
    public record Resolution(UpstreamTlsSpec spec, List<ConfigError> errors) {
        public Resolution {
            errors = List.copyOf(errors);
        }

        public boolean ok() {
            return errors.isEmpty();
        }
    }

    /** Resolves {@code mes.tls()}, looking {@code secret:} sources up in {@code config} (same mesh). */
    public static Resolution resolve(MeshExternalService mes, ConfigSet config) {
        Tls tls = mes.tls();
        if (tls == null || !tls.enabled()) {
            return new Resolution(UpstreamTlsSpec.DISABLED, List.of());
        }
        return resolve(tls, TlsMaterial.read(mes, config));
    }

    /**
     * Builds the spec from {@code tls} and its already-read {@code material} (as the snapshot compiler
     * keeps it in the cluster spec); reads nothing.
     */
    public static Resolution resolve(Tls tls, TlsMaterial material) {
        if (tls == null || !tls.enabled()) {
            return new Resolution(UpstreamTlsSpec.DISABLED, List.of());
        }
        if (!material.ok()) {
            return new Resolution(null, material.errors());
        }
        Verification v = tls.verification();
        UpstreamTlsSpec.TrustSource trust = material.caCert() == null ? null
                : UpstreamTlsSpec.TrustSource.pem(material.caCert());
        UpstreamTlsSpec.ClientCertificate client = material.clientCert() == null ? null
                : new UpstreamTlsSpec.ClientCertificate(material.clientCert(), material.clientKey());
        UpstreamTlsSpec spec = new UpstreamTlsSpec(true, tls.version().min(), tls.version().max(),
                tls.allowRenegotiation(), v.mode(), v.serverName(), v.subjectAltNames(), trust, client, List.of());
        return new Resolution(spec, List.of());
    }

    /** The TLS errors of one service (the same as {@link TlsMaterial#validate}). */
    public static List<ConfigError> validate(MeshExternalService mes, ConfigSet config) {
        return TlsMaterial.validate(mes, config);
    }
}
