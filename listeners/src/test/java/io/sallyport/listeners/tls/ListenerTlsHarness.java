package io.sallyport.listeners.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslProvider;
import io.netty.resolver.HostsFileEntriesResolver;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.sallyport.core.accesslog.AccessLog;
import io.sallyport.core.accesslog.AccessLogFormat;
import io.sallyport.core.cluster.EndpointResolver;
import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.config.Protocol;
import io.sallyport.core.config.Resource;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.runtime.RuntimeOptions;
import io.sallyport.core.runtime.SnapshotCompiler;
import io.sallyport.core.transport.Transport;
import io.sallyport.core.upstream.UpstreamConnector;
import io.sallyport.listeners.ListenerManager;
import io.sallyport.testing.FreeAddresses;
import io.sallyport.testing.TestResources;
import io.sallyport.tls.SystemTrust;
import io.sallyport.tls.UpstreamTlsContextFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ListenerManager} with TLS origination over one forced engine, a resolver that maps every
 * {@code *.example.test} name to 127.0.0.1, JSON access log lines collected in a queue, and one outbound
 * listener on a random 127.0.0.0/8 address that each {@link #apply} points at a new MeshExternalService.
 */
final class ListenerTlsHarness implements AutoCloseable {

    private static final Transport TRANSPORT = Transport.platform();

    final Stats stats = new Stats();
    final BlockingQueue<String> accessLines = new LinkedBlockingQueue<>();
    final UpstreamTlsContextFactory factory;
    private final AccessLog accessLog;
    private final EndpointResolver resolver;
    final ListenerManager manager;
    private final String listenIp = FreeAddresses.randomLoopback();
    private long generation;

    ListenerTlsHarness(EventLoopGroup group, SslProvider provider, SystemTrust systemTrust) throws IOException {
        factory = new UpstreamTlsContextFactory(provider, systemTrust);
        accessLog = AccessLog.to(AccessLogFormat.JSON, accessLines::add);
        HostsFileEntriesResolver hosts = new HostsFileEntriesResolver() {
            @Override
            public InetAddress address(String name, ResolvedAddressTypes types) {
                return name.endsWith(".example.test") ? InetAddress.getLoopbackAddress() : null;
            }
        };
        // Nothing answers there: every name the tests use is in the hosts view above.
        resolver = new EndpointResolver(TRANSPORT, new SingletonDnsServerAddressStreamProvider(
                new InetSocketAddress("127.0.0.1", FreeAddresses.refusingPort())), hosts);
        manager = new ListenerManager(group, TRANSPORT, new UpstreamConnector(TRANSPORT, resolver), stats, accessLog,
                Duration.ofSeconds(1), new UpstreamTlsInitializers(factory, stats));
    }

    /** Points the listener at {@code mes} (plus {@code extra} resources, e.g. Secrets). */
    void apply(MeshExternalService mes, Resource... extra) throws IOException {
        List<Resource> resources = new ArrayList<>(List.of(extra));
        resources.add(mes);
        resources.add(TestResources.dataplane(TestResources.outbound(listenIp, 0, mes.name())));
        SnapshotCompiler.Result r = SnapshotCompiler.compile(new ConfigSet(resources), RuntimeOptions.defaults(),
                ++generation);
        assertThat(r.errors()).isEmpty();
        manager.apply(r.snapshot());
    }

    InetSocketAddress listener() {
        Map<String, InetSocketAddress> bound = manager.listeners();
        assertThat(bound).hasSize(1);
        return bound.values().iterator().next();
    }

    /** A TCP MeshExternalService with these endpoints and TLS settings. */
    static MeshExternalService mes(String name, MeshExternalService.Tls tls, MeshExternalService.Endpoint... endpoints) {
        return new MeshExternalService(TestResources.meta("MeshExternalService", name),
                new MeshExternalService.Match("HostnameGenerator", 443, Protocol.TCP), List.of(endpoints), tls, null);
    }

    /** The next access log line of {@code cluster} (waits at most 5 s). */
    String accessLine(String cluster) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            String line = accessLines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no access log line for " + cluster + " within 5 s");
            }
            if (line.contains("\"upstream_cluster\":\"" + cluster + "\"")) {
                return line;
            }
        }
    }

    long counter(String name, String cluster) {
        return stats.counterValue(name, "envoy_cluster_name", cluster);
    }

    /**
     * Sends {@code request} through the listener and reads until the connection ends or
     * {@code expectedBytes} arrived; a reset counts as the end.
     */
    static byte[] exchange(InetSocketAddress proxy, byte[] request, int expectedBytes) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(proxy, 5_000);
            s.setSoTimeout(10_000);
            try {
                s.getOutputStream().write(request);
                s.getOutputStream().flush();
            } catch (SocketException reset) {
                return new byte[0];
            }
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            try {
                int n;
                while (got.size() < Math.max(1, expectedBytes) && (n = in.read(buf)) > 0) {
                    got.write(buf, 0, n);
                }
            } catch (SocketException reset) {
                // closed by the proxy with unread data: a reset
            }
            return got.toByteArray();
        }
    }

    @Override
    public void close() {
        manager.close();
        accessLog.close();
        resolver.close();
    }
}
