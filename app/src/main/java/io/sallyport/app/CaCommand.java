package io.sallyport.app;

import io.sallyport.Main;
import io.sallyport.egress.ca.MeshCertificateAuthority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sallyport ca}: mints a mesh CA ({@code init}) and SPIFFE certificates signed by it
 * ({@code issue}) for sidecars ({@code spiffe://<mesh>/<service>}) and the zone egress
 * ({@code spiffe://<mesh>/zone-egress}). Errors are one line on stderr and exit 1.
 */
@Command(name = "ca", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
        description = "Mint a mesh CA and SPIFFE certificates for mesh mTLS (sidecar to zone egress).",
        subcommands = {CaCommand.Init.class, CaCommand.Issue.class})
public final class CaCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        throw new CommandFailure(Main.EXIT_INVALID, "sallyport ca: missing command (init, issue); see 'sallyport ca --help'");
    }

    /** {@code sallyport ca init --out DIR [--mesh NAME]}. */
    @Command(name = "init", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
            description = "Mint a mesh CA: writes ca.crt and ca.key (mode 0600) into --out.")
    static final class Init implements Callable<Integer> {

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write into.")
        Path out;

        @Option(names = "--mesh", paramLabel = "NAME", defaultValue = "default",
                description = "Mesh name (the SPIFFE trust domain). Default: ${DEFAULT-VALUE}.")
        String mesh;

        @Option(names = "--validity", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
                description = "How long the CA is valid. Default: 87600h (ten years).")
        Duration validity;

        @Override
        public Integer call() {
            if (Files.exists(out.resolve(MeshCertificateAuthority.CA_KEY_FILE))) {
                throw new CommandFailure(Main.EXIT_INVALID, "sallyport ca init: " + out.resolve(
                        MeshCertificateAuthority.CA_KEY_FILE) + " already exists; refusing to replace a CA key");
            }
            MeshCertificateAuthority ca = run("init", () -> MeshCertificateAuthority.init(out, mesh,
                    validity != null ? validity : MeshCertificateAuthority.DEFAULT_CA_VALIDITY));
            System.out.println("mesh CA for spiffe://" + ca.mesh() + " written to " + out.resolve(
                    MeshCertificateAuthority.CA_CERT_FILE) + " (valid until "
                    + ca.certificate().getNotAfter().toInstant() + ")");
            return Main.EXIT_OK;
        }
    }

    /** {@code sallyport ca issue --ca DIR --spiffe-id URI --out DIR [--validity DURATION]}. */
    @Command(name = "issue", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
            description = "Mint a certificate for a SPIFFE ID: writes tls.crt, tls.key (mode 0600) and ca.crt into --out.")
    static final class Issue implements Callable<Integer> {

        @Option(names = "--ca", required = true, paramLabel = "DIR", description = "Directory of 'ca init'.")
        Path caDir;

        @Option(names = "--spiffe-id", required = true, paramLabel = "URI",
                description = "spiffe://<mesh>/<service>, or spiffe://<mesh>/zone-egress for the egress.")
        String spiffeId;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write into.")
        Path out;

        @Option(names = "--validity", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
                description = "How long the certificate is valid (capped at the CA's expiry). Default: 8760h (one year).")
        Duration validity;

        @Override
        public Integer call() {
            X509Certificate cert = run("issue", () -> MeshCertificateAuthority.load(caDir).issue(spiffeId, out,
                    validity != null ? validity : MeshCertificateAuthority.DEFAULT_CERT_VALIDITY));
            System.out.println(spiffeId + " written to " + out.resolve(MeshCertificateAuthority.CERT_FILE)
                    + " (valid until " + cert.getNotAfter().toInstant() + ")");
            return Main.EXIT_OK;
        }
    }

    private interface Action<T> {
        T run() throws IOException, GeneralSecurityException;
    }

    private static <T> T run(String command, Action<T> action) {
        try {
            return action.run();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CommandFailure(Main.EXIT_INVALID, "sallyport ca " + command + ": no such file: " + e.getFile());
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            int nl = m.indexOf('\n');
            throw new CommandFailure(Main.EXIT_INVALID, "sallyport ca " + command + ": "
                    + (nl >= 0 ? m.substring(0, nl) : m));
        }
    }
}
