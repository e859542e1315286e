package io.sallyport.egress.identity;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.sallyport.core.pem.CertificateKeyMatch;
import io.sallyport.core.pem.PemCertificates;
import io.sallyport.core.pem.PemException;
import io.sallyport.core.pem.PemPrivateKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This proxy's mesh identity: the mesh CA, its certificate chain ({@code spiffe://<mesh>/<name>}) and key,
 * read from PEM files ({@code --mesh-ca}, {@code --identity-cert}, {@code --identity-key}), and the two
 * {@link SslContext}s built from them:
 * <ul>
 *   <li>{@link #serverContext()} (zone egress): presents the identity, asks every client for a certificate
 *       chained to the mesh CA with a URI SAN {@code spiffe://<mesh>/...}, ALPN {@code kuma};</li>
 *   <li>{@link #clientContext()} (sidecar to egress): presents the identity and accepts only a server
 *       certificate chained to the mesh CA whose URI SAN is exactly {@code spiffe://<mesh>/zone-egress},
 *       ALPN {@code kuma}.</li>
 * </ul>
 *
 * <p>Rotation: {@link #startWatching} starts a daemon thread that re-reads the files every interval and,
 * when their bytes changed and form a valid identity again (certificate and key match, chain leads to the
 * CA), swaps the material in one volatile write. Handshakes started after that use the new certificate;
 * connections already established keep their session. Half-written or mismatched files are reported
 * once and retried on the next tick; the previous identity stays in force meanwhile. Nothing here runs
 * on an event loop.
 */
public final class MeshIdentity implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MeshIdentity.class);

    /** ALPN protocol Kuma's sidecars and egresses speak inside the mesh mTLS tunnel. */
    public static final String ALPN_KUMA = "kuma";
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

    /**
     * One loaded identity.
     *
     * @param chain    the identity's certificate chain, leaf first
     * @param ca       the mesh CA certificates
     * @param spiffeId the leaf's SPIFFE ID
     */
    public record Material(List<X509Certificate> chain, List<X509Certificate> ca, SpiffeId spiffeId,
                           Instant loadedAt, SslContext server, SslContext client,
                           MeshTrustManager serverTrust, byte[] digest) {
        public Material {
            chain = List.copyOf(chain);
            ca = List.copyOf(ca);
        }

        /** The mesh of this identity (the trust domain of its SPIFFE ID). */
        public String mesh() {
            return spiffeId.mesh();
        }

        public X509Certificate leaf() {
            return chain.get(0);
        }
    }

    private final Path caFile;
    private final Path certFile;
    private final Path keyFile;
    private final SslProvider provider;
    private final List<Consumer<Material>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong reloadFailures = new AtomicLong();
    private volatile Material material;
    private volatile Thread watcher;
    private volatile boolean closed;
    private byte[] lastFailedDigest;

    private MeshIdentity(Path caFile, Path certFile, Path keyFile, SslProvider provider) {
        this.caFile = Objects.requireNonNull(caFile, "caFile");
        this.certFile = Objects.requireNonNull(certFile, "certFile");
        this.keyFile = Objects.requireNonNull(keyFile, "keyFile");
        this.provider = provider;
    }

    /**
     * Reads and checks the three files.
     *
     * @throws IOException with a one-line message naming the file when they cannot be read or do not form
     *                     a valid identity
     */
    public static MeshIdentity load(Path caFile, Path certFile, Path keyFile) throws IOException {
        // The JDK engine, not OpenSSL: the mesh tunnel must carry TCP half-close. After a peer's
        // close_notify, Netty's OpenSSL engine closes its own outbound side too, so an egress could no
        // longer send the service's last bytes (an echo after the caller's EOF); the JDK engine keeps
        // writing under TLS 1.3 until our side ends.
        return load(caFile, certFile, keyFile, SslProvider.JDK);
    }

    /** As {@link #load(Path, Path, Path)} with a forced TLS engine. */
    public static MeshIdentity load(Path caFile, Path certFile, Path keyFile, SslProvider provider) throws IOException {
        MeshIdentity id = new MeshIdentity(caFile, certFile, keyFile, provider);
        id.material = id.read();
        return id;
    }

    /** The identity in force. */
    public Material current() {
        return material;
    }

    /** The server context of the identity in force (zone egress side). */
    public SslContext serverContext() {
        return material.server();
    }

    /** The client context of the identity in force (sidecar to zone egress). */
    public SslContext clientContext() {
        return material.client();
    }

    /** Successful reloads after the first load. */
    public long reloads() {
        return reloads.get();
    }

    /** Changes of the files that did not form a valid identity. */
    public long reloadFailures() {
        return reloadFailures.get();
    }

    /** Called on the watcher thread with every new identity. */
    public void onChange(Consumer<Material> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Starts the watcher thread (once). */
    public synchronized void startWatching(Duration interval) {
        if (watcher != null || closed) {
            return;
        }
        long millis = Math.max(10, interval.toMillis());
        Thread t = new Thread(() -> {
            while (!closed) {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    return;
                }
                reloadIfChanged();
            }
        }, "sallyport-mesh-identity");
        t.setDaemon(true);
        t.start();
        watcher = t;
    }

    /**
     * Re-reads the files; when their bytes differ from the identity in force and are valid, swaps it in.
     * Returns true when a new identity was installed. Called by the watcher thread (and tests).
     */
    public synchronized boolean reloadIfChanged() {
        byte[] digest;
        try {
            digest = digest(Files.readAllBytes(caFile), Files.readAllBytes(certFile), Files.readAllBytes(keyFile));
        } catch (IOException e) {
            return false; // a file being replaced; try again next tick
        }
        if (Arrays.equals(digest, material.digest()) || Arrays.equals(digest, lastFailedDigest)) {
            return false;
        }
        Material next;
        try {
            next = read();
        } catch (IOException e) {
            lastFailedDigest = digest;
            reloadFailures.incrementAndGet();
            log.warn("mesh identity not reloaded, keeping {} (expires {}): {}", material.spiffeId(),
                    material.leaf().getNotAfter().toInstant(), e.getMessage());
            return false;
        }
        lastFailedDigest = null;
        material = next;
        reloads.incrementAndGet();
        log.info("mesh identity reloaded: {} serial {} valid until {}", next.spiffeId(),
                next.leaf().getSerialNumber().toString(16), next.leaf().getNotAfter().toInstant());
        for (Consumer<Material> l : listeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                log.warn("mesh identity listener failed: {}", e.toString());
            }
        }
        return true;
    }

    private Material read() throws IOException {
        byte[] caPem = Files.readAllBytes(caFile);
        byte[] certPem = Files.readAllBytes(certFile);
        byte[] keyPem = Files.readAllBytes(keyFile);
        List<X509Certificate> ca = parseCertificates(caFile, caPem);
        List<X509Certificate> chain = parseCertificates(certFile, certPem);
        PrivateKey key;
        try {
            key = PemPrivateKeys.parse(keyPem);
            CertificateKeyMatch.check(chain.get(0), key);
        } catch (PemException e) {
            throw new IOException(keyFile + ": " + e.getMessage(), e);
        }
        X509Certificate leaf = chain.get(0);
        SpiffeId id = SpiffeId.of(leaf);
        if (id == null) {
            throw new IOException(certFile + ": certificate " + leaf.getSubjectX500Principal().getName()
                    + " has no spiffe://<mesh>/<name> URI SAN");
        }
        String mesh = id.mesh();
        String callerPrefix = "spiffe://" + mesh + "/";
        String egressId = SpiffeId.zoneEgress(mesh);
        try {
            MeshTrustManager serverTrust = new MeshTrustManager(ca,
                    uri -> uri.startsWith(callerPrefix) && uri.length() > callerPrefix.length(),
                    "starting with " + callerPrefix);
            // The identity must itself chain to the CA, or peers would refuse it.
            X509Certificate[] own = chain.toArray(new X509Certificate[0]);
            new MeshTrustManager(ca, uri -> true, "").checkServerTrusted(own, "UNKNOWN");
            MeshTrustManager clientTrust = new MeshTrustManager(ca, egressId::equals, "equal to " + egressId);
            ApplicationProtocolConfig alpn = new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ALPN_KUMA);
            SslContext server = SslContextBuilder.forServer(key, chain.toArray(new X509Certificate[0]))
                    .sslProvider(provider)
                    .trustManager(serverTrust)
                    // OPTIONAL, not REQUIRE: a client without a certificate is refused right after the
                    // handshake by the listener, which can then count it as ssl_fail_verify_no_cert on every
                    // TLS engine alike; it never reaches a byte of the upstream.
                    .clientAuth(ClientAuth.OPTIONAL)
                    .applicationProtocolConfig(alpn)
                    .build();
            SslContext client = SslContextBuilder.forClient()
                    .sslProvider(provider)
                    .keyManager(key, chain.toArray(new X509Certificate[0]))
                    .trustManager(clientTrust)
                    .applicationProtocolConfig(alpn)
                    .build();
            return new Material(chain, ca, id, Instant.now(), server, client, serverTrust,
                    digest(caPem, certPem, keyPem));
        } catch (SSLException e) {
            throw new IOException("cannot build the mesh TLS contexts: " + e.getMessage(), e);
        } catch (java.security.cert.CertificateException e) {
            throw new IOException(certFile + ": not issued by the mesh CA in " + caFile + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IOException(caFile + ": " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> parseCertificates(Path file, byte[] pem) throws IOException {
        try {
            List<X509Certificate> certs = PemCertificates.parse(pem);
            if (certs.isEmpty()) {
                throw new IOException(file + ": no PEM certificate");
            }
            return new ArrayList<>(certs);
        } catch (PemException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] digest(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                md.update(Integer.toString(p.length).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                md.update(p);
            }
            return md.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread t = watcher;
        if (t != null) {
            t.interrupt();
        }
    }
}
