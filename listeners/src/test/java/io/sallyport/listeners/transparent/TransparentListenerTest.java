package io.sallyport.listeners.transparent;

import static io.sallyport.testing.TestResources.meta;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.sallyport.core.accesslog.AccessLog;
import io.sallyport.core.accesslog.AccessLogFormat;
import io.sallyport.core.cluster.EndpointResolver;
import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.Dataplane;
import io.sallyport.core.config.MeshPassthrough;
import io.sallyport.core.config.Resource;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.runtime.RuntimeOptions;
import io.sallyport.core.runtime.Snapshot;
import io.sallyport.core.runtime.SnapshotCompiler;
import io.sallyport.core.runtime.TransparentSpec;
import io.sallyport.core.transport.Transport;
import io.sallyport.core.upstream.UpstreamConnector;
import io.sallyport.listeners.ListenerManager;
import io.sallyport.testing.StreamClient;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The transparent listener in this JVM without interception: bound, kept and closed across reloads by
 * the {@link ListenerManager}, and refusing connections dialed straight to it (they would loop).
 */
class TransparentListenerTest {

    private static final Transport TRANSPORT = Transport.platform();

    private final Stats stats = new Stats();
    private final BlockingQueue<String> accessLines = new LinkedBlockingQueue<>();
    private EventLoopGroup group;
    private EndpointResolver resolver;
    private AccessLog accessLog;
    private ListenerManager manager;
    private long generation;

    @BeforeEach
    void start() {
        System.setProperty(TransparentSpec.BIND_ADDRESS_PROPERTY, "127.0.0.1");
        group = TRANSPORT.newEventLoopGroup(1, "transparent-test");
        resolver = EndpointResolver.system(TRANSPORT);
        accessLog = AccessLog.to(AccessLogFormat.ENVOY, accessLines::add);
        manager = new ListenerManager(group, TRANSPORT, new UpstreamConnector(TRANSPORT, resolver), stats, accessLog,
                Duration.ofSeconds(1), null);
    }

    @AfterEach
    void stop() {
        manager.close();
        accessLog.close();
        resolver.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        System.clearProperty(TransparentSpec.BIND_ADDRESS_PROPERTY);
    }

    private Snapshot snapshot(MeshPassthrough.Mode mode, boolean transparent) {
        Dataplane dp = new Dataplane(meta("Dataplane", "app"), "127.0.0.1", List.of(), null,
                transparent ? new Dataplane.TransparentProxying(0) : null, List.of());
        List<Resource> resources = List.of(dp, new MeshPassthrough(meta("MeshPassthrough", "p"), mode, List.of()));
        SnapshotCompiler.Result r = SnapshotCompiler.compile(new ConfigSet(resources), RuntimeOptions.defaults(), ++generation);
        assertThat(r.errors()).isEmpty();
        return r.snapshot();
    }

    @Test
    void isBoundFromTheSnapshotKeptOnReloadAndClosedWhenTransparentProxyingGoes() throws Exception {
        Snapshot first = snapshot(MeshPassthrough.Mode.All, true);
        assertThat(first.transparent().name()).isEqualTo("outbound:passthrough:ipv4");
        assertThat(first.transparent().passthrough().mode()).isEqualTo(MeshPassthrough.Mode.All);
        manager.apply(first);
        InetSocketAddress bound = manager.listeners().get("outbound:passthrough:ipv4");
        assertThat(bound).isNotNull();
        assertThat(bound.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        manager.apply(snapshot(MeshPassthrough.Mode.Matched, true));
        assertThat(manager.listeners().get("outbound:passthrough:ipv4")).isEqualTo(bound);
        manager.apply(snapshot(MeshPassthrough.Mode.All, false));
        assertThat(manager.listeners()).doesNotContainKey("outbound:passthrough:ipv4");
    }

    @Test
    void aConnectionDialedStraightToTheListenerIsRefusedRatherThanLooped() throws Exception {
        manager.apply(snapshot(MeshPassthrough.Mode.All, true));
        InetSocketAddress bound = manager.listeners().get("outbound:passthrough:ipv4");
        try (Socket s = StreamClient.connect(bound, 5_000)) {
            s.setSoTimeout(5_000);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(accessLines.poll(5, TimeUnit.SECONDS)).contains(" NR ");
        assertThat(stats.counterValue("envoy_listener_no_filter_chain_match", "envoy_listener_address",
                "127.0.0.1_0")).isEqualTo(1);
        assertThat(manager.activeConnections()).isZero();
    }
}
