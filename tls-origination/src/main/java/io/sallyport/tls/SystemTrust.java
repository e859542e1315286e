package io.sallyport.tls;

import io.sallyport.core.pem.PemCertificates;
import io.sallyport.core.pem.PemException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Finds and reads the system CA bundle, as Kuma's data plane does:
 * {@code KUMA_DATAPLANE_RUNTIME_DYNAMIC_SYSTEM_CA_PATH} when set, else the first existing file of the
 * usual distribution paths. Reads files, so call it off the event loop (it runs when a context is
 * built, at config compile time).
 */
public final class SystemTrust {

    /** The environment variable that overrides the bundle path. */
    public static final String ENV_OVERRIDE = "KUMA_DATAPLANE_RUNTIME_DYNAMIC_SYSTEM_CA_PATH";

    /** The bundle locations tried in order, as Kuma lists them. */
    public static final List<String> DEFAULT_PATHS = List.of(
            "/etc/ssl/certs/ca-certificates.crt",
            "/etc/pki/tls/certs/ca-bundle.crt",
            "/etc/ssl/ca-bundle.pem",
            "/etc/pki/tls/cacert.pem",
            "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
            "/etc/ssl/cert.pem");

    /**
     * The outcome of looking for the bundle: the certificates, or why there are none.
     *
     * @param path         the file read, or {@code null} when none was found
     * @param certificates the CA certificates (empty when there is a {@code problem})
     * @param problem      why the bundle cannot be used, or {@code null}
     */
    public record Bundle(Path path, List<X509Certificate> certificates, String problem) {
        public Bundle {
            certificates = List.copyOf(certificates);
        }

        public boolean usable() {
            return problem == null;
        }
    }

    private final Function<String, String> environment;
    private final List<String> paths;

    /** Reads the real environment and the default paths. */
    public static SystemTrust fromEnvironment() {
        return new SystemTrust(System::getenv, DEFAULT_PATHS);
    }

    /** For tests: a given environment and candidate paths. */
    public SystemTrust(Map<String, String> environment, List<String> paths) {
        this(environment::get, paths);
    }

    private SystemTrust(Function<String, String> environment, List<String> paths) {
        this.environment = Objects.requireNonNull(environment, "environment");
        this.paths = List.copyOf(paths);
    }

    /** Locates and parses the bundle. Never throws: a missing or bad bundle is described in the result. */
    public Bundle load() {
        String override = environment.apply(ENV_OVERRIDE);
        if (override != null && !override.isBlank()) {
            return read(Path.of(override), ENV_OVERRIDE + "=" + override);
        }
        for (String candidate : paths) {
            Path path = Path.of(candidate);
            if (Files.isRegularFile(path)) {
                return read(path, candidate);
            }
        }
        return new Bundle(null, List.of(), "no system CA bundle found (" + ENV_OVERRIDE
                + " is not set and none of " + String.join(", ", paths) + " exists)");
    }

    private static Bundle read(Path path, String described) {
        try {
            return new Bundle(path, PemCertificates.parse(Files.readAllBytes(path)), null);
        } catch (IOException e) {
            return new Bundle(path, List.of(), "cannot read system CA bundle " + described + ": " + e);
        } catch (PemException e) {
            return new Bundle(path, List.of(), "system CA bundle " + described + " is unusable: " + e.getMessage());
        }
    }
}
