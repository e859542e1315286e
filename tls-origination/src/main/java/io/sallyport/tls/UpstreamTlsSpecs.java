package io.sallyport.tls;

import io.sallyport.core.config.ConfigError;
import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.DataSource;
import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.config.MeshExternalService.Tls;
import io.sallyport.core.config.MeshExternalService.Verification;
import io.sallyport.core.config.ResourceMeta;
import io.sallyport.core.config.Secret;
import io.sallyport.core.pem.CertificateKeyMatch;
import io.sallyport.core.pem.PemCertificates;
import io.sallyport.core.pem.PemException;
import io.sallyport.core.pem.PemPrivateKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@code MeshExternalService}'s {@code spec.tls} into an {@link UpstreamTlsSpec}: reads the data
 * sources ({@code inline}, {@code inlineString}, {@code secret}, {@code file}), checks that certificates
 * and keys are PEM and that the client key belongs to the client certificate, and reports every problem
 * as a {@link ConfigError} at the field's line. Expired certificates are not errors here (they fail the
 * handshake). Reads files: call it when the config is loaded or compiled.
 */
public final class UpstreamTlsSpecs {

    private static final String VERIFICATION = "spec.tls.verification";

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
        ResourceMeta meta = mes.meta();
        List<ConfigError> errors = new ArrayList<>();
        Verification v = tls.verification();
        if (tls.version().min() != null && tls.version().max() != null
                && tls.version().min().compareTo(tls.version().max()) > 0) {
            errors.add(ConfigError.at(meta, "spec.tls.version", "min " + tls.version().min()
                    + " is above max " + tls.version().max()));
        }

        UpstreamTlsSpec.TrustSource trust = null;
        if (v.caCert() != null) {
            String path = VERIFICATION + ".caCert";
            byte[] pem = read(v.caCert(), path, meta, config, errors);
            if (pem != null) {
                try {
                    PemCertificates.parse(pem);
                    trust = UpstreamTlsSpec.TrustSource.pem(pem);
                } catch (PemException e) {
                    errors.add(ConfigError.at(meta, fieldPath(path, v.caCert()), e.getMessage()));
                }
            }
        }

        UpstreamTlsSpec.ClientCertificate client = null;
        if (v.clientCert() != null || v.clientKey() != null) {
            client = clientCertificate(v, meta, config, errors);
        }

        if (!errors.isEmpty()) {
            return new Resolution(null, errors);
        }
        UpstreamTlsSpec spec = new UpstreamTlsSpec(true, tls.version().min(), tls.version().max(),
                tls.allowRenegotiation(), v.mode(), v.serverName(), v.subjectAltNames(), trust, client, List.of());
        return new Resolution(spec, List.of());
    }

    /** The TLS errors of one service, for the config validator. */
    public static List<ConfigError> validate(MeshExternalService mes, ConfigSet config) {
        return resolve(mes, config).errors();
    }

    private static UpstreamTlsSpec.ClientCertificate clientCertificate(
            Verification v, ResourceMeta meta, ConfigSet config, List<ConfigError> errors) {
        String certPath = VERIFICATION + ".clientCert";
        String keyPath = VERIFICATION + ".clientKey";
        if (v.clientCert() == null) {
            errors.add(ConfigError.at(meta, keyPath, "clientKey is set but clientCert is not; give both or neither"));
            return null;
        }
        if (v.clientKey() == null) {
            errors.add(ConfigError.at(meta, certPath, "clientCert is set but clientKey is not; give both or neither"));
            return null;
        }
        byte[] certPem = read(v.clientCert(), certPath, meta, config, errors);
        byte[] keyPem = read(v.clientKey(), keyPath, meta, config, errors);
        List<X509Certificate> chain = null;
        PrivateKey key = null;
        if (certPem != null) {
            try {
                chain = PemCertificates.parse(certPem);
            } catch (PemException e) {
                errors.add(ConfigError.at(meta, fieldPath(certPath, v.clientCert()), e.getMessage()));
            }
        }
        if (keyPem != null) {
            try {
                key = PemPrivateKeys.parse(keyPem);
            } catch (PemException e) {
                errors.add(ConfigError.at(meta, fieldPath(keyPath, v.clientKey()), e.getMessage()));
            }
        }
        if (chain == null || key == null) {
            return null;
        }
        try {
            CertificateKeyMatch.check(chain.get(0), key);
        } catch (PemException e) {
            errors.add(ConfigError.at(meta, fieldPath(keyPath, v.clientKey()), e.getMessage()));
            return null;
        }
        return new UpstreamTlsSpec.ClientCertificate(certPem, keyPem);
    }

    /** The bytes of a data source, or {@code null} after adding an error. */
    static byte[] read(DataSource source, String path, ResourceMeta meta, ConfigSet config, List<ConfigError> errors) {
        String at = fieldPath(path, source);
        if (source instanceof DataSource.Inline inline) {
            return nonEmpty(inline.bytes(), at, meta, errors);
        }
        if (source instanceof DataSource.InlineString s) {
            return nonEmpty(s.value().getBytes(StandardCharsets.UTF_8), at, meta, errors);
        }
        if (source instanceof DataSource.SecretRef ref) {
            for (Secret secret : config.all(Secret.class)) {
                if (secret.name().equals(ref.name()) && secret.meta().mesh().equals(meta.mesh())) {
                    return nonEmpty(secret.data(), at, meta, errors);
                }
            }
            errors.add(ConfigError.at(meta, at, "Secret \"" + ref.name() + "\" not found in mesh \"" + meta.mesh() + "\""));
            return null;
        }
        DataSource.FileRef file = (DataSource.FileRef) source;
        try {
            return nonEmpty(Files.readAllBytes(Path.of(file.path())), at, meta, errors);
        } catch (IOException | RuntimeException e) {
            errors.add(ConfigError.at(meta, at, "cannot read file " + file.path() + ": " + describe(e)));
            return null;
        }
    }

    private static byte[] nonEmpty(byte[] bytes, String at, ResourceMeta meta, List<ConfigError> errors) {
        if (bytes.length == 0) {
            errors.add(ConfigError.at(meta, at, "is empty"));
            return null;
        }
        return bytes;
    }

    /** {@code spec.tls.verification.caCert.file} and so on: the key that names the source's form. */
    static String fieldPath(String path, DataSource source) {
        String form;
        if (source instanceof DataSource.Inline) {
            form = "inline";
        } else if (source instanceof DataSource.InlineString) {
            form = "inlineString";
        } else if (source instanceof DataSource.SecretRef) {
            form = "secret";
        } else {
            form = "file";
        }
        return path + "." + form;
    }

    private static String describe(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
