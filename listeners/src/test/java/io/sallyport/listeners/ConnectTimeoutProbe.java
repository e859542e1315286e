package io.sallyport.listeners;

import static io.sallyport.testing.TestResources.connectTimeout;
import static io.sallyport.testing.TestResources.dataplane;
import static io.sallyport.testing.TestResources.endpoint;
import static io.sallyport.testing.TestResources.mes;
import static io.sallyport.testing.TestResources.outbound;

import io.netty.channel.EventLoopGroup;
import io.sallyport.core.accesslog.AccessLog;
import io.sallyport.core.accesslog.AccessLogFormat;
import io.sallyport.core.cluster.EndpointResolver;
import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.runtime.RuntimeOptions;
import io.sallyport.core.runtime.SnapshotCompiler;
import io.sallyport.core.transport.Transport;
import io.sallyport.core.upstream.UpstreamConnector;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs a proxy whose only endpoint swallows SYNs, inside the network namespace
 * {@link ConnectTimeoutInNamespaceTest} creates, and prints one {@code RESULT ...} line: how long the
 * client waited for the close, the connect counters and the access log line.
 *
 * <p>Arguments: the dropped port, the connect timeout in milliseconds.
 */
public final class ConnectTimeoutProbe {

    private ConnectTimeoutProbe() {
    }

    public static void main(String[] args) throws Exception {
        int droppedPort = Integer.parseInt(args[0]);
        Duration timeout = Duration.ofMillis(Long.parseLong(args[1]));
        Transport transport = Transport.platform();
        EventLoopGroup group = transport.newEventLoopGroup(1, "probe");
        EndpointResolver resolver = EndpointResolver.system(transport);
        Stats stats = new Stats();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        AccessLog accessLog = AccessLog.to(AccessLogFormat.ENVOY, lines::add);
        ListenerManager manager = new ListenerManager(group, transport, new UpstreamConnector(transport, resolver),
                stats, accessLog, Duration.ofSeconds(1), null);
        try {
            SnapshotCompiler.Result r = SnapshotCompiler.compile(new ConfigSet(List.of(
                    mes("mes-blackhole", 4242, endpoint("127.0.0.1", droppedPort)),
                    connectTimeout("mes-blackhole", timeout),
                    dataplane(outbound("127.0.0.1", 0, "mes-blackhole")))), RuntimeOptions.defaults(), 1);
            if (!r.ok()) {
                throw new IllegalStateException(r.errors().toString());
            }
            manager.apply(r.snapshot());
            InetSocketAddress listener = manager.listeners().values().iterator().next();
            long start = System.nanoTime();
            int read;
            try (Socket s = new Socket()) {
                s.connect(listener, 5000);
                s.setSoTimeout(30_000);
                s.getOutputStream().write('x');
                read = s.getInputStream().read();
            } catch (SocketException reset) {
                read = -2;
            }
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            String line = lines.poll(10, TimeUnit.SECONDS);
            String tag = "envoy_cluster_name";
            System.out.println("RESULT read=" + read + " elapsedMillis=" + elapsed
                    + " connectTimeout=" + stats.counterValue("envoy_cluster_upstream_cx_connect_timeout", tag, "mes-blackhole")
                    + " connectFail=" + stats.counterValue("envoy_cluster_upstream_cx_connect_fail", tag, "mes-blackhole")
                    + " cxTotal=" + stats.counterValue("envoy_cluster_upstream_cx_total", tag, "mes-blackhole")
                    + " log=" + line);
        } finally {
            manager.close();
            accessLog.close();
            resolver.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }
}
