package io.sallyport.egress.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.core.accesslog.AccessLog;
import io.sallyport.core.accesslog.AccessLogFormat;
import io.sallyport.core.config.ConfigLoader;
import io.sallyport.core.config.LoadResult;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.runtime.ProxyType;
import io.sallyport.core.runtime.RuntimeOptions;
import io.sallyport.core.runtime.SnapshotCompiler;
import io.sallyport.egress.identity.MeshIdentity;
import io.sallyport.egress.sni.KumaSni;
import io.sallyport.egress.upstream.ZoneEgressInitializers;
import io.sallyport.listeners.ListenerManager;
import io.sallyport.testing.Await;
import io.sallyport.testing.EchoServer;
import io.sallyport.testing.FreeAddresses;
import io.sallyport.testing.TestCertificates;
import io.sallyport.testing.TestCertificates.Issued;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongSupplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sidecar ({@link ListenerManager} with {@link ZoneEgressInitializers}) and a zone egress
 * ({@link EgressListener}) in one JVM on loopback, with real mesh mTLS, in front of a TCP echo server:
 * allowed and denied callers, what a Kuma Envoy sidecar sends (a plain TLS client with the mesh
 * certificate, the Kuma SNI and ALPN {@code kuma}), refused handshakes, unknown SNIs, and rotation of
 * the egress certificate under a live stream.
 */
class ZoneEgressIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private EchoServer echo;
    private Issued ca;
    private final Stats egressStats = new Stats();
    private final Queue<String> egressLog = new ConcurrentLinkedQueue<>();
    private final Queue<io.sallyport.core.http.HttpAccessLogEntry> egressHttpLog = new ConcurrentLinkedQueue<>();
    private EgressListener egress;
    private MeshIdentity egressIdentity;
    private InetSocketAddress egressAddress;
    private ListenerManager sidecar;
    private MeshIdentity sidecarIdentity;

    private static final String MESH = """
            type: Mesh
            name: default
            routing:
              zoneEgress: true
            mtls:
              enabledBackend: ca-1
              backends:
                - name: ca-1
                  type: builtin
            ---
            type: ZoneEgress
            name: egress
            networking:
              address: 127.0.0.1
              port: %1$d
            ---
            type: MeshExternalService
            name: echo
            mesh: default
            spec:
              match: {type: HostnameGenerator, port: 4242, protocol: tcp}
              endpoints: [{address: 127.0.0.1, port: %2$d}]
            ---
            type: MeshExternalService
            name: web-api
            mesh: default
            spec:
              match: {type: HostnameGenerator, port: 80, protocol: http}
              endpoints: [{address: 127.0.0.1, port: %3$d}]
            ---
            type: MeshExternalService
            name: grpc-api
            mesh: default
            spec:
              match: {type: HostnameGenerator, port: 9090, protocol: grpc}
              endpoints: [{address: 127.0.0.1, port: %2$d}]
            ---
            type: MeshTrafficPermission
            name: no-intruders
            mesh: default
            spec:
              targetRef: {kind: Mesh}
              rules:
                - default:
                    deny:
                      - spiffeID: {type: Exact, value: "spiffe://default/intruder"}
            """;

    private final String dataplane = """
            ---
            type: Dataplane
            name: web
            mesh: default
            networking:
              address: 127.0.0.1
              outbound:
                - port: %d
                  backendRef: {kind: MeshExternalService, name: echo}
            """.formatted(FreeAddresses.freeTcpPort());

    @BeforeEach
    void setUp() throws Exception {
        echo = EchoServer.tcp();
        http = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        http.createContext("/", exchange -> {
            byte[] body = ("hello " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        ca = TestCertificates.builder("default mesh CA").ca().uri("spiffe://default").build();
        egressIdentity = identity("egress", "spiffe://default/zone-egress");
        egress = EgressListener.standalone(egressStats, AccessLog.to(AccessLogFormat.ENVOY, egressLog::add),
                e -> egressHttpLog.add(e), Duration.ofSeconds(5), egressIdentity, null);
        egress.apply(compile(MESH.formatted(FreeAddresses.freeTcpPort(), echo.port(), httpPort()), ProxyType.EGRESS));
        egressAddress = egress.localAddress();
    }

    private com.sun.net.httpserver.HttpServer http;

    private int httpPort() {
        return http.getAddress().getPort();
    }

    @AfterEach
    void tearDown() {
        http.stop(0);
        if (sidecar != null) {
            sidecar.close();
        }
        if (sidecarIdentity != null) {
            sidecarIdentity.close();
        }
        egress.close();
        echo.close();
    }

    private MeshIdentity identity(String name, String spiffeId) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        Issued leaf = TestCertificates.builder(name).issuer(ca).uri(spiffeId).build();
        write(d, leaf);
        return MeshIdentity.load(d.resolve("ca.crt"), d.resolve("tls.crt"), d.resolve("tls.key"));
    }

    private void write(Path d, Issued leaf) {
        TestCertificates.write(d.resolve("ca.crt"), ca.certificatePem());
        TestCertificates.write(d.resolve("tls.crt"), leaf.certificatePem());
        TestCertificates.write(d.resolve("tls.key"), leaf.privateKeyPkcs8Pem());
    }

    private io.sallyport.core.runtime.Snapshot compile(String yaml, ProxyType type) {
        LoadResult r = ConfigLoader.parse("test.yaml", yaml);
        assertThat(r.errors()).isEmpty();
        SnapshotCompiler.Result c = SnapshotCompiler.compile(r.config(), new RuntimeOptions(type, null,
                dir.resolve("x"), dir.resolve("y"), dir.resolve("z")), 1);
        assertThat(c.errors()).isEmpty();
        return c.snapshot();
    }

    /** Starts a sidecar with {@code spiffeId} and returns its outbound port. */
    private int sidecar(String spiffeId) throws Exception {
        sidecarIdentity = identity("sidecar", spiffeId);
        sidecar = ListenerManager.standalone(new Stats(), AccessLog.disabled(), Duration.ofSeconds(5),
                new ZoneEgressInitializers(sidecarIdentity, new Stats(), null));
        var snapshot = compile(MESH.formatted(egressAddress.getPort(), echo.port(), httpPort()) + dataplane, ProxyType.DATAPLANE);
        assertThat(snapshot.clusters().get("echo").viaZoneEgress()).isNotNull();
        sidecar.apply(snapshot);
        return sidecar.listeners().values().iterator().next().getPort();
    }

    @Test
    void allowedCallerReachesTheServiceThroughTheEgress() throws Exception {
        int port = sidecar("spiffe://default/web");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout((int) WAIT.toMillis());
            assertThat(roundTrip(s, "hello through the egress\n")).isEqualTo("hello through the egress\n");
        }
        awaitValue(() -> egressStats.counterValue("envoy_rbac_allowed", "envoy_cluster_name", "echo"), 1);
        awaitLogLine("\"spiffe://default/web\" \"echo\"");
        assertThat(echo.accepted()).isEqualTo(1);
    }

    @Test
    void halfCloseCrossesTheMeshTunnel() throws Exception {
        int port = sidecar("spiffe://default/web");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout((int) WAIT.toMillis());
            s.getOutputStream().write("last words\n".getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            // The echo answers after our EOF and then closes: all of it comes back, then EOF.
            assertThat(readToEnd(s.getInputStream())).isEqualTo("last words\n");
        }
    }

    @Test
    void allowedHttpCallerIsProxiedPerRequest() throws Exception {
        Issued web = TestCertificates.builder("web").issuer(ca).uri("spiffe://default/web").build();
        try (SSLSocket s = meshClient(web, ca, KumaSni.forMeshExternalService("web-api", "default", 80))) {
            OutputStream out = s.getOutputStream();
            out.write(("GET /one HTTP/1.1\r\nhost: web-api\r\n\r\n"
                    + "GET /two HTTP/1.1\r\nhost: web-api\r\nconnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = readToEnd(s.getInputStream());
            assertThat(response).startsWith("HTTP/1.1 200").contains("hello /one").contains("hello /two");
        }
        Await.until(() -> egressHttpLog.size() >= 2, WAIT);
        assertThat(egressHttpLog).hasSize(2);
        // Each request's line names the caller and the MeshExternalService.
        assertThat(egressHttpLog).allSatisfy(e -> {
            assertThat(e.downstreamPeerUriSan()).isEqualTo("spiffe://default/web");
            assertThat(e.upstreamCluster()).isEqualTo("web-api");
            assertThat(io.sallyport.core.http.EnvoyHttpLogFormat.format(e))
                    .endsWith("\" \"spiffe://default/web\" \"web-api\"");
            assertThat(io.sallyport.core.http.EnvoyHttpLogFormat.json(e))
                    .contains("\"downstream_peer_uri_san\":\"spiffe://default/web\"");
        });
        awaitValue(() -> egressStats.counterValue("envoy_rbac_allowed", "envoy_cluster_name", "web-api"), 1);
    }

    @Test
    void deniedHttpCallerGets403AndGrpcCallerPermissionDenied() throws Exception {
        Issued intruder = TestCertificates.builder("intruder").issuer(ca).uri("spiffe://default/intruder").build();
        try (SSLSocket s = meshClient(intruder, ca, KumaSni.forMeshExternalService("web-api", "default", 80))) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nhost: web-api\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String response = readToEnd(s.getInputStream());
            assertThat(response).startsWith("HTTP/1.1 403 Forbidden").endsWith("RBAC: access denied");
        }
        Http2Headers grpc = Http2Answer.request(egressAddress, KumaSni.forMeshExternalService("grpc-api", "default", 9090),
                intruder, ca, true);
        assertThat(grpc.status().toString()).isEqualTo("200");
        assertThat(grpc.get("grpc-status").toString()).isEqualTo("7");
        Http2Headers h2 = Http2Answer.request(egressAddress, KumaSni.forMeshExternalService("grpc-api", "default", 9090),
                intruder, ca, false);
        assertThat(h2.status().toString()).isEqualTo("403");
        awaitValue(() -> egressStats.counterValue("envoy_rbac_denied", "envoy_cluster_name", "grpc-api"), 2);
        awaitLogLine("\"spiffe://default/intruder\" \"web-api\"");
        assertThat(echo.accepted()).isZero();
    }

    @Test
    void reloadedPermissionsApplyToNewConnectionsOnly() throws Exception {
        Issued web = TestCertificates.builder("web").issuer(ca).uri("spiffe://default/web").build();
        String sni = KumaSni.forMeshExternalService("echo", "default", 4242);
        try (SSLSocket live = meshClient(web, ca, sni)) {
            assertThat(roundTrip(live, "allowed\n")).isEqualTo("allowed\n");
            String denyWeb = MESH.formatted(egressAddress.getPort(), echo.port(), httpPort()).replace(
                    "spiffe://default/intruder", "spiffe://default/web");
            egress.apply(compile(denyWeb, ProxyType.EGRESS));
            assertThat(egress.localAddress()).isEqualTo(egressAddress);
            try (SSLSocket fresh = meshClient(web, ca, sni)) {
                fresh.getOutputStream().write("now denied\n".getBytes(StandardCharsets.UTF_8));
                assertThat(readToEnd(fresh.getInputStream())).isEmpty();
            }
            // The connection accepted before the reload keeps its decision.
            assertThat(roundTrip(live, "still allowed\n")).isEqualTo("still allowed\n");
        }
    }

    @Test
    void deniedCallerIsClosedWithoutAByte() throws Exception {
        int port = sidecar("spiffe://default/intruder");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout((int) WAIT.toMillis());
            s.getOutputStream().write("secret\n".getBytes(StandardCharsets.UTF_8));
            assertThat(readToEnd(s.getInputStream())).isEmpty();
        }
        awaitValue(() -> egressStats.counterValue("envoy_rbac_denied", "envoy_cluster_name", "echo"), 1);
        awaitLogLine("NR");
        awaitLogLine("\"spiffe://default/intruder\" \"echo\"");
        assertThat(echo.accepted()).isZero();
    }

    @Test
    void kumaEnvoySidecarHandshakeIsAccepted() throws Exception {
        Issued web = TestCertificates.builder("web").issuer(ca).uri("spiffe://default/web").build();
        String sni = KumaSni.forMeshExternalService("echo", "default", 4242);
        try (SSLSocket s = meshClient(web, ca, sni)) {
            assertThat(s.getApplicationProtocol()).isEqualTo("kuma");
            assertThat(roundTrip(s, "like envoy\n")).isEqualTo("like envoy\n");
            assertThat(peerSpiffe(s)).isEqualTo("spiffe://default/zone-egress");
        }
    }

    @Test
    void foreignCaNoSanNoCertAndUnknownSniAreRefused() throws Exception {
        String sni = KumaSni.forMeshExternalService("echo", "default", 4242);
        Issued foreignCa = TestCertificates.builder("foreign CA").ca().uri("spiffe://default").build();
        Issued foreign = TestCertificates.builder("web").issuer(foreignCa).uri("spiffe://default/web").build();
        assertRefused(foreign, sni);
        awaitValue(() -> egressStats.counterValue("envoy_listener_ssl_fail_verify_error", "envoy_listener_address",
                listenerTag()), 1);

        Issued noSan = TestCertificates.builder("web").issuer(ca).dns("web").build();
        assertRefused(noSan, sni);
        awaitValue(() -> egressStats.counterValue("envoy_listener_ssl_fail_verify_san", "envoy_listener_address",
                listenerTag()), 1);

        Issued otherMesh = TestCertificates.builder("web").issuer(ca).uri("spiffe://other/web").build();
        assertRefused(otherMesh, sni);
        awaitValue(() -> egressStats.counterValue("envoy_listener_ssl_fail_verify_san", "envoy_listener_address",
                listenerTag()), 2);

        assertRefused(null, sni);
        awaitValue(() -> egressStats.counterValue("envoy_listener_ssl_fail_verify_no_cert", "envoy_listener_address",
                listenerTag()), 1);

        Issued web = TestCertificates.builder("web").issuer(ca).uri("spiffe://default/web").build();
        assertRefused(web, KumaSni.forMeshExternalService("nope", "default", 4242));
        // At least one: the JDK client may try the refused hello twice (counted twice).
        awaitAtLeast(() -> egressStats.counterValue("envoy_listener_no_filter_chain_match", "envoy_listener_address",
                listenerTag()), 1);
        assertThat(echo.accepted()).isZero();
    }

    @Test
    void rotatingTheEgressCertificateKeepsLiveStreamsAndServesTheNewOneToNewHandshakes() throws Exception {
        Issued web = TestCertificates.builder("web").issuer(ca).uri("spiffe://default/web").build();
        String sni = KumaSni.forMeshExternalService("echo", "default", 4242);
        try (SSLSocket live = meshClient(web, ca, sni)) {
            BigInteger before = ((X509Certificate) live.getSession().getPeerCertificates()[0]).getSerialNumber();
            assertThat(roundTrip(live, "before\n")).isEqualTo("before\n");

            Issued rotated = TestCertificates.builder("egress-2").issuer(ca).uri("spiffe://default/zone-egress").build();
            write(dir.resolve("egress"), rotated);
            assertThat(egressIdentity.reloadIfChanged()).isTrue();
            assertThat(egressIdentity.reloads()).isEqualTo(1);

            try (SSLSocket fresh = meshClient(web, ca, sni)) {
                assertThat(((X509Certificate) fresh.getSession().getPeerCertificates()[0]).getSerialNumber())
                        .isEqualTo(rotated.certificate().getSerialNumber()).isNotEqualTo(before);
                assertThat(roundTrip(fresh, "after\n")).isEqualTo("after\n");
            }
            for (int i = 0; i < 50; i++) {
                assertThat(roundTrip(live, "still flowing " + i + "\n")).isEqualTo("still flowing " + i + "\n");
            }
        }
        // Unchanged files: nothing to do.
        assertThat(egressIdentity.reloadIfChanged()).isFalse();
    }

    @Test
    void halfWrittenIdentityKeepsThePreviousOne() throws Exception {
        BigInteger serial = egressIdentity.current().leaf().getSerialNumber();
        Issued other = TestCertificates.builder("egress-3").issuer(ca).uri("spiffe://default/zone-egress").build();
        // The certificate is replaced but the key is still the old one: mismatched, not applied.
        TestCertificates.write(dir.resolve("egress").resolve("tls.crt"), other.certificatePem());
        assertThat(egressIdentity.reloadIfChanged()).isFalse();
        assertThat(egressIdentity.reloadFailures()).isEqualTo(1);
        assertThat(egressIdentity.current().leaf().getSerialNumber()).isEqualTo(serial);
        TestCertificates.write(dir.resolve("egress").resolve("tls.key"), other.privateKeyPkcs8Pem());
        assertThat(egressIdentity.reloadIfChanged()).isTrue();
        assertThat(egressIdentity.current().leaf().getSerialNumber()).isEqualTo(other.certificate().getSerialNumber());
    }

    private String listenerTag() {
        return "127.0.0.1_" + egressAddress.getPort();
    }

    private void assertRefused(Issued client, String sni) throws Exception {
        try (SSLSocket s = meshClientUnchecked(client, ca, sni)) {
            s.startHandshake();
            // TLS 1.3: the client finishes before the server has judged its certificate.
            s.getOutputStream().write("x".getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            assertThat(readToEnd(s.getInputStream())).isEmpty();
        } catch (IOException expected) {
            // Refused during the handshake.
        }
    }

    private SSLSocket meshClient(Issued client, Issued trust, String sni) throws Exception {
        SSLSocket s = meshClientUnchecked(client, trust, sni);
        s.startHandshake();
        return s;
    }

    private SSLSocket meshClientUnchecked(Issued client, Issued trust, String sni) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        if (client != null) {
            ks.setKeyEntry("client", client.privateKey(), "changeit".toCharArray(),
                    client.chain().toArray(new Certificate[0]));
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        javax.net.ssl.X509KeyManager base = (javax.net.ssl.X509KeyManager) kmf.getKeyManagers()[0];
        // Like Envoy: present the certificate whatever CAs the server names.
        javax.net.ssl.X509ExtendedKeyManager always = new javax.net.ssl.X509ExtendedKeyManager() {
            public String[] getClientAliases(String t, java.security.Principal[] i) { return client == null ? null : new String[] {"client"}; }
            public String chooseClientAlias(String[] t, java.security.Principal[] i, Socket s) { return client == null ? null : "client"; }
            public String chooseEngineClientAlias(String[] t, java.security.Principal[] i, javax.net.ssl.SSLEngine e) { return client == null ? null : "client"; }
            public String[] getServerAliases(String t, java.security.Principal[] i) { return null; }
            public String chooseServerAlias(String t, java.security.Principal[] i, Socket s) { return null; }
            public X509Certificate[] getCertificateChain(String a) { return base.getCertificateChain(a); }
            public java.security.PrivateKey getPrivateKey(String a) { return base.getPrivateKey(a); }
        };
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", trust.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new javax.net.ssl.KeyManager[] {always}, tmf.getTrustManagers(), null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(egressAddress.getAddress(), egressAddress.getPort());
        s.setSoTimeout((int) WAIT.toMillis());
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(sni)));
        p.setApplicationProtocols(new String[] {"kuma"});
        s.setSSLParameters(p);
        return s;
    }

    private static String peerSpiffe(SSLSocket s) throws Exception {
        X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
        return io.sallyport.egress.identity.SpiffeId.of(leaf).uri();
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
        byte[] buf = new byte[text.length()];
        InputStream in = s.getInputStream();
        int off = 0;
        for (int n; off < buf.length && (n = in.read(buf, off, buf.length - off)) >= 0; ) {
            off += n;
        }
        return new String(buf, 0, off, StandardCharsets.UTF_8);
    }

    private static String readToEnd(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return ""; // reset: closed without data
        }
    }

    private static void awaitValue(LongSupplier value, long expected) throws InterruptedException {
        Await.until(() -> value.getAsLong() == expected, WAIT);
        assertThat(value.getAsLong()).isEqualTo(expected);
    }

    private static void awaitAtLeast(LongSupplier value, long expected) throws InterruptedException {
        Await.until(() -> value.getAsLong() >= expected, WAIT);
        assertThat(value.getAsLong()).isGreaterThanOrEqualTo(expected);
    }

    private void awaitLogLine(String part) throws InterruptedException {
        Await.until(() -> egressLog.stream().anyMatch(l -> l.contains(part)), WAIT);
        assertThat(egressLog).anyMatch(l -> l.contains(part));
    }
}
