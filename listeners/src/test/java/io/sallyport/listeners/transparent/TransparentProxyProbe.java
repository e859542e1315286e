package io.sallyport.listeners.transparent;

import static io.sallyport.testing.TestResources.endpoint;
import static io.sallyport.testing.TestResources.mesWithVip;

import io.netty.channel.EventLoopGroup;
import io.sallyport.core.accesslog.AccessLog;
import io.sallyport.core.accesslog.AccessLogFormat;
import io.sallyport.core.cluster.EndpointResolver;
import io.sallyport.core.config.ConfigLoader;
import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.LoadResult;
import io.sallyport.core.config.Resource;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.runtime.RuntimeOptions;
import io.sallyport.core.runtime.SnapshotCompiler;
import io.sallyport.core.transport.Transport;
import io.sallyport.core.upstream.UpstreamConnector;
import io.sallyport.listeners.ListenerManager;
import io.sallyport.testing.TestCertificates;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * Runs inside the network namespace {@link TransparentPassthroughInNamespaceTest} creates: "external"
 * stand-in servers on loopback addresses (each answers {@code server <ip:port>}, over HTTP/1.1 when
 * asked in HTTP, over TLS for {@code tls:} ones) and a proxy whose transparent listener applies the
 * MeshPassthrough of the mode it is told, with upstream sockets marked so the namespace's REDIRECT
 * rule lets them through.
 *
 * <p>Arguments: the socket mark, the redirect port, then servers as {@code tcp:ip:port} or
 * {@code tls:ip:port}, or {@code tcp6:port} for {@code [::1]:port}. Commands on stdin, one per line: {@code MODE None|All|Matched},
 * {@code ACCEPTS ip:port}, {@code COUNTER name tag value}. Output: {@code READY}, {@code APPLIED mode},
 * {@code ACCEPTS ip:port n}, {@code COUNTER n}, and {@code ACCESS <line>} for each access log line.
 */
public final class TransparentProxyProbe {

    /** The MeshExternalService reached through its VIP: {@code 127.0.3.1:9000} → {@code 127.0.0.50:7000}. */
    static final String VIP = "127.0.3.1";
    /** An HTTP MeshExternalService reached through its VIP: {@code 127.0.3.2:8081} → {@code 127.0.0.40:8080}. */
    static final String HTTP_VIP = "127.0.3.2";

    private static final Map<String, AtomicInteger> ACCEPTS = new ConcurrentHashMap<>();

    private TransparentProxyProbe() {
    }

    static String matchedPassthrough() {
        return """
                type: MeshPassthrough
                name: passthrough
                mesh: default
                spec:
                  targetRef:
                    kind: Mesh
                  default:
                    passthroughMode: Matched
                    appendMatch:
                      - type: Domain
                        value: api.test
                        port: 8443
                        protocol: tls
                      - type: Domain
                        value: "*.wild.test"
                        port: 8443
                        protocol: tls
                      - type: IP
                        value: 127.0.0.30
                        port: 7000
                        protocol: tcp
                      - type: CIDR
                        value: 127.0.1.0/24
                        port: 7000
                        protocol: tcp
                      - type: IP
                        value: "::1"
                        port: 7100
                        protocol: tcp
                      - type: Domain
                        value: web.test
                        port: 8080
                        protocol: http
                      - type: CIDR
                        value: 127.0.2.0/24
                        port: 8080
                        protocol: http
                """;
    }

    public static void main(String[] args) throws Exception {
        // Installs the recording leak detector before any buffer is allocated.
        io.sallyport.testing.LeakDetectionExtension.leaks();
        int mark = Integer.parseInt(args[0]);
        int redirectPort = Integer.parseInt(args[1]);
        SSLContext tls = serverTls();
        for (int i = 2; i < args.length; i++) {
            String[] parts = args[i].split(":");
            if (parts[0].equals("tcp6")) {
                startServer(false, "::1", Integer.parseInt(parts[1]), tls);
            } else {
                startServer(parts[0].equals("tls"), parts[1], Integer.parseInt(parts[2]), tls);
            }
        }
        Transport transport = Transport.platform();
        EventLoopGroup group = transport.newEventLoopGroup(2, "probe");
        EndpointResolver resolver = EndpointResolver.system(transport);
        Stats stats = new Stats();
        AccessLog accessLog = AccessLog.to(AccessLogFormat.ENVOY, line -> System.out.println("ACCESS " + line));
        ListenerManager manager = new ListenerManager(group, transport, new UpstreamConnector(transport, resolver, mark),
                stats, accessLog, Duration.ofSeconds(1), null);
        System.out.println("READY");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                String[] cmd = line.trim().split(" ");
                switch (cmd[0]) {
                    case "MODE" -> {
                        manager.apply(snapshot(cmd[1], redirectPort));
                        System.out.println("APPLIED " + cmd[1] + " " + manager.listeners());
                    }
                    case "ACCEPTS" -> System.out.println("ACCEPTS " + cmd[1] + " "
                            + ACCEPTS.computeIfAbsent(cmd[1], k -> new AtomicInteger()).get());
                    case "COUNTER" -> System.out.println("COUNTER " + stats.counterValue(cmd[1], cmd[2], cmd[3]));
                    default -> System.out.println("UNKNOWN " + line);
                }
            }
        } catch (Exception e) {
            System.out.println("FAILED " + e);
            throw e;
        } finally {
            manager.close();
            accessLog.close();
            resolver.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        System.out.println("LEAKS " + collectLeaks());
        System.exit(0);
    }

    /** Leak reports after collecting garbage and polling the detector (as the test extension does). */
    private static List<String> collectLeaks() {
        for (int i = 0; i < 3 && io.sallyport.testing.LeakDetectionExtension.leaks().isEmpty(); i++) {
            System.gc();
            for (int j = 0; j < 64; j++) {
                io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(16).release();
                io.netty.buffer.PooledByteBufAllocator.DEFAULT.heapBuffer(16).release();
            }
        }
        return io.sallyport.testing.LeakDetectionExtension.leaks();
    }

    private static io.sallyport.core.runtime.Snapshot snapshot(String mode, int redirectPort) {
        String passthrough = mode.equals("Matched") ? matchedPassthrough() : """
                type: MeshPassthrough
                name: passthrough
                mesh: default
                spec:
                  targetRef:
                    kind: Mesh
                  default:
                    passthroughMode: %s
                """.formatted(mode);
        String dataplane = """
                type: Dataplane
                name: app
                mesh: default
                networking:
                  address: 127.0.0.1
                  transparentProxying:
                    redirectPortOutbound: %d
                """.formatted(redirectPort);
        LoadResult loaded = ConfigLoader.parse("probe.yaml", passthrough + "---\n" + dataplane);
        if (!loaded.errors().isEmpty()) {
            throw new IllegalStateException(loaded.errors().toString());
        }
        List<Resource> resources = new ArrayList<>(loaded.config().resources());
        resources.add(mesWithVip("vip-service", 9000, VIP, endpoint("127.0.0.50", 7000)));
        resources.add(new io.sallyport.core.config.MeshExternalService(
                io.sallyport.testing.TestResources.meta("MeshExternalService", "vip-http"),
                new io.sallyport.core.config.MeshExternalService.Match("HostnameGenerator", 8081,
                        io.sallyport.core.config.Protocol.HTTP),
                List.of(endpoint("127.0.0.40", 8080)), null, HTTP_VIP));
        SnapshotCompiler.Result r = SnapshotCompiler.compile(new ConfigSet(resources),
                new RuntimeOptions(null, "127.0.3.0/24", null, null, null), 1);
        if (!r.ok()) {
            throw new IllegalStateException(r.errors().toString());
        }
        return r.snapshot();
    }

    private static SSLContext serverTls() throws Exception {
        TestCertificates.Issued cert = TestCertificates.builder("stand-in").dns("api.test", "*.wild.test").build();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", cert.privateKey(), new char[0], new Certificate[] {cert.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private static void startServer(boolean tls, String ip, int port, SSLContext ctx) throws Exception {
        InetAddress address = InetAddress.getByName(ip);
        ServerSocket server = tls
                ? (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(port, 50, address)
                : new ServerSocket(port, 50, address);
        String id = ip.contains(":") ? "[" + ip + "]:" + port : ip + ":" + port;
        AtomicInteger accepts = ACCEPTS.computeIfAbsent(id, k -> new AtomicInteger());
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Socket s = server.accept();
                    accepts.incrementAndGet();
                    Thread c = new Thread(() -> serve(s, id), "conn-" + id);
                    c.setDaemon(true);
                    c.start();
                } catch (Exception e) {
                    return;
                }
            }
        }, "server-" + id);
        t.setDaemon(true);
        t.start();
    }

    /** Answers {@code server <id>}: as an HTTP/1.1 response to an HTTP request, else as one line. */
    private static void serve(Socket s, String id) {
        try (s) {
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            StringBuilder seen = new StringBuilder();
            byte[] buf = new byte[4096];
            int n = in.read(buf);
            if (n > 0) {
                seen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
            boolean http = seen.toString().matches("(?s)^(GET|HEAD|POST|PUT) .*");
            while (http && n > 0 && seen.indexOf("\r\n\r\n") < 0) {
                n = in.read(buf);
                if (n > 0) {
                    seen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                }
            }
            String body = "server " + id + "\n";
            String reply = http
                    ? "HTTP/1.1 200 OK\r\ncontent-length: " + body.length() + "\r\nconnection: close\r\n\r\n" + body
                    : body;
            OutputStream out = s.getOutputStream();
            out.write(reply.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (Exception e) {
            // the client went away: nothing to answer
        }
    }
}
