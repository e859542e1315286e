package io.sallyport.core.pem;

import io.sallyport.core.config.ConfigError;
import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.DataSource;
import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.config.MeshExternalService.Tls;
import io.sallyport.core.config.MeshExternalService.Verification;
import io.sallyport.core.config.ResourceMeta;
import io.sallyport.core.config.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The PEM material of one {@code MeshExternalService}'s {@code spec.tls}, read from its data sources
 * ({@code inline}, {@code inlineString}, {@code secret}, {@code file}) and checked: certificates and keys
 * are PEM, {@code clientCert} and {@code clientKey} come together and belong together, and
 * {@code version.min} is not above {@code version.max}. Every problem is a {@link ConfigError} at the
 * field's line. Expired certificates are not problems here (they fail the handshake). Reads files: call
 * it when the config is loaded or compiled, never on an event loop.
 *
 * @param caCert     the {@code caCert} PEM bytes, or {@code null} when not configured (or invalid)
 * @param clientCert the {@code clientCert} PEM bytes, or {@code null}
 * @param clientKey  the {@code clientKey} PEM bytes, or {@code null}
 * @param errors     the problems found; the material is only usable when this is empty
 */
public record TlsMaterial(byte[] caCert, byte[] clientCert, byte[] clientKey, List<ConfigError> errors) {

    private static final String VERIFICATION = "spec.tls.verification";

    public TlsMaterial {
        caCert = caCert == null ? null : caCert.clone();
        clientCert = clientCert == null ? null : clientCert.clone();
        clientKey = clientKey == null ? null : clientKey.clone();
        errors = List.copyOf(errors);
    }

    @Override
    public byte[] caCert() {
        return caCert == null ? null : caCert.clone();
    }

    @Override
    public byte[] clientCert() {
        return clientCert == null ? null : clientCert.clone();
    }

    @Override
    public byte[] clientKey() {
        return clientKey == null ? null : clientKey.clone();
    }

    public boolean ok() {
        return errors.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsMaterial m && Arrays.equals(caCert, m.caCert) && Arrays.equals(clientCert, m.clientCert)
                && Arrays.equals(clientKey, m.clientKey) && errors.equals(m.errors);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * Arrays.hashCode(caCert) + Arrays.hashCode(clientCert)) + Arrays.hashCode(clientKey))
                + errors.hashCode();
    }

    @Override
    public String toString() {
        // Never print key material.
        return "TlsMaterial[caCert=" + (caCert == null ? "none" : caCert.length + " bytes")
                + ", clientCert=" + (clientCert == null ? "none" : clientCert.length + " bytes")
                + ", clientKey=" + (clientKey == null ? "none" : "redacted") + ", errors=" + errors + "]";
    }

    /** The TLS errors of one service, for the config validator; empty when TLS is absent or disabled. */
    public static List<ConfigError> validate(MeshExternalService mes, ConfigSet config) {
        return read(mes, config).errors();
    }

    /** Reads and checks the material of {@code mes.tls()} ({@code secret:} sources are looked up in {@code config}). */
    public static TlsMaterial read(MeshExternalService mes, ConfigSet config) {
        Tls tls = mes.tls();
        if (tls == null || !tls.enabled()) {
            return new TlsMaterial(null, null, null, List.of());
        }
        ResourceMeta meta = mes.meta();
        List<ConfigError> errors = new ArrayList<>();
        Verification v = tls.verification();
        if (tls.version().min() != null && tls.version().max() != null
                && tls.version().min().compareTo(tls.version().max()) > 0) {
            errors.add(ConfigError.at(meta, "spec.tls.version", "min " + tls.version().min()
                    + " is above max " + tls.version().max()));
        }

        byte[] ca = null;
        if (v.caCert() != null) {
            String path = VERIFICATION + ".caCert";
            byte[] pem = readSource(v.caCert(), path, meta, config, errors);
            if (pem != null) {
                try {
                    PemCertificates.parse(pem);
                    ca = pem;
                } catch (PemException e) {
                    errors.add(ConfigError.at(meta, fieldPath(path, v.caCert()), e.getMessage()));
                }
            }
        }

        byte[][] client = null;
        if (v.clientCert() != null || v.clientKey() != null) {
            client = clientPair(v, meta, config, errors);
        }
        return new TlsMaterial(ca, client == null ? null : client[0], client == null ? null : client[1], errors);
    }

    private static byte[][] clientPair(Verification v, ResourceMeta meta, ConfigSet config, List<ConfigError> errors) {
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
        byte[] certPem = readSource(v.clientCert(), certPath, meta, config, errors);
        byte[] keyPem = readSource(v.clientKey(), keyPath, meta, config, errors);
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
        return new byte[][] {certPem, keyPem};
    }

    /** The bytes of a data source, or {@code null} after adding an error. */
    private static byte[] readSource(DataSource source, String path, ResourceMeta meta, ConfigSet config,
            List<ConfigError> errors) {
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
