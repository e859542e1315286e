package io.sallyport.core.runtime;

import static io.sallyport.testing.TestResources.connectTimeout;
import static io.sallyport.testing.TestResources.dataplane;
import static io.sallyport.testing.TestResources.endpoint;
import static io.sallyport.testing.TestResources.hostnameGenerator;
import static io.sallyport.testing.TestResources.mes;
import static io.sallyport.testing.TestResources.mesWithVip;
import static io.sallyport.testing.TestResources.mesh;
import static io.sallyport.testing.TestResources.outbound;
import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.core.cluster.ClusterSpec;
import io.sallyport.core.cluster.Endpoint;
import io.sallyport.core.config.ConfigError;
import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.MeshTimeout;
import io.sallyport.core.config.MeshTrafficPermission;
import io.sallyport.core.config.Resource;
import io.sallyport.core.config.ZoneEgress;
import io.sallyport.testing.TestResources;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotCompilerTest {

    private static SnapshotCompiler.Result compile(RuntimeOptions options, Resource... resources) {
        return SnapshotCompiler.compile(new ConfigSet(List.of(resources)), options, 7);
    }

    private static Snapshot ok(Resource... resources) {
        SnapshotCompiler.Result r = compile(RuntimeOptions.defaults(), resources);
        assertThat(r.errors()).isEmpty();
        assertThat(r.ok()).isTrue();
        return r.snapshot();
    }

    @Test
    void clusterPerServiceWithPriorityLevelsAndKumaDefaultTimeouts() {
        Snapshot s = ok(mes("mes-tcp", 4242,
                endpoint("10.0.0.2", 80, 1), endpoint("10.0.0.1", 80, 0), endpoint("backup.example", 80, 1),
                endpoint("unix:///run/echo.sock", null, 0)));

        ClusterSpec c = s.clusters().get("mes-tcp");
        assertThat(s.generation()).isEqualTo(7);
        assertThat(c.levels()).extracting(l -> l.priority()).containsExactly(0, 1);
        assertThat(c.levels().get(0).endpoints()).hasSize(2).last().isEqualTo(new Endpoint.UnixPath("/run/echo.sock"));
        assertThat(c.levels().get(1).endpoints()).last().isEqualTo(new Endpoint.DnsName("backup.example", 80));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(c.tls()).isNull();
    }

    @Test
    void meshTimeoutSetsTheConnectTimeoutOfItsTarget() {
        Snapshot s = ok(mes("a", 1, endpoint("10.0.0.1", 80)), mes("b", 2, endpoint("10.0.0.1", 81)),
                connectTimeout("a", Duration.ofMillis(750)));

        assertThat(s.clusters().get("a").connectTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(s.clusters().get("b").connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void meshTimeoutHttpTimeoutsReachTheClusterOverKumaDefaults() {
        MeshTimeout http = new MeshTimeout(TestResources.meta("MeshTimeout", "http-a"), List.of(new MeshTimeout.To(
                new MeshTrafficPermission.TargetRef("MeshExternalService", "a", Map.of()),
                new MeshTimeout.Timeouts(null, null, Duration.ofSeconds(1), null, Duration.ofMinutes(2)))));
        Snapshot s = ok(mes("a", 1, endpoint("10.0.0.1", 80)), mes("b", 2, endpoint("10.0.0.1", 81)), http);

        assertThat(s.clusters().get("a").meshTimeouts()).isEqualTo(new MeshTimeout.Timeouts(Duration.ofSeconds(5),
                Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofMinutes(30), Duration.ofMinutes(2)));
        assertThat(s.clusters().get("b").meshTimeouts()).isEqualTo(MeshTimeout.Timeouts.KUMA_DEFAULTS);
    }

    @Test
    void outboundsAndVipsBecomeListeners() throws Exception {
        Snapshot s = ok(mesh(true),
                mesWithVip("mes-tcp", 4242, "127.1.2.3", endpoint("10.0.0.1", 80)),
                dataplane(outbound(null, 10001, "mes-tcp")));

        assertThat(s.listeners()).containsExactly(
                new ListenerSpec("outbound:127.0.0.1:10001", ListenerSpec.Kind.OUTBOUND,
                        new InetSocketAddress("127.0.0.1", 10001), "mes-tcp", io.sallyport.core.config.Protocol.TCP, true),
                new ListenerSpec("outbound:127.1.2.3:4242", ListenerSpec.Kind.VIP,
                        new InetSocketAddress("127.1.2.3", 4242), "mes-tcp", io.sallyport.core.config.Protocol.TCP, true));
        assertThat(s.listeners().get(0).statsAddress()).isEqualTo("127.0.0.1_10001");
    }

    @Test
    void generatedHostnamesGetVipListenersFromTheVipCidr() {
        SnapshotCompiler.Result r = compile(new RuntimeOptions(null, "127.99.0.0/16", null, null, null),
                hostnameGenerator("hg", "{{ .DisplayName }}.svc.meshext.local"),
                mes("mes-tcp", 4242, endpoint("10.0.0.1", 80)));

        assertThat(r.errors()).isEmpty();
        Snapshot s = r.snapshot();
        assertThat(s.hostnames().lookup("mes-tcp.svc.meshext.local")).isNotNull();
        ListenerSpec vip = s.listeners().get(0);
        assertThat(vip.kind()).isEqualTo(ListenerSpec.Kind.VIP);
        assertThat(vip.address().getAddress()).isEqualTo(s.hostnames().lookup("mes-tcp.svc.meshext.local"));
        assertThat(vip.address().getPort()).isEqualTo(4242);
        assertThat(vip.address().getAddress().getHostAddress()).startsWith("127.99.");
    }

    @Test
    void egressModeBindsNoSidecarListeners() {
        Snapshot s = ok(mesWithVip("mes-tcp", 4242, "127.1.2.3", endpoint("10.0.0.1", 80)),
                new ZoneEgress(TestResources.meta("ZoneEgress", "egress"), "127.0.0.1", 10002, null));

        assertThat(s.listeners()).isEmpty();
        assertThat(s.clusters()).containsKey("mes-tcp");
    }

    @Test
    void reportsUnknownServicesDuplicateListenersAndBadEndpoints() {
        SnapshotCompiler.Result r = compile(RuntimeOptions.defaults(),
                mes("a", 1, endpoint("10.0.0.1", 80)),
                mes("bad", 2, endpoint("not a host", 80)),
                dataplane(outbound("127.0.0.1", 10001, "a"), outbound("127.0.0.1", 10001, "a"),
                        outbound("127.0.0.1", 10002, "missing")));

        assertThat(r.ok()).isFalse();
        assertThat(r.snapshot()).isNull();
        assertThat(r.errors()).extracting(ConfigError::toString).containsExactlyInAnyOrder(
                "test:MeshExternalService/bad:0: MeshExternalService/bad: spec.endpoints[0].address: "
                        + "not an IP address, DNS name or unix:// path: not a host",
                "test:Dataplane/app:0: Dataplane/app: spec.networking.outbound[1].port: "
                        + "127.0.0.1:10001 is already the listener of MeshExternalService a",
                "test:Dataplane/app:0: Dataplane/app: spec.networking.outbound[2].backendRef.name: "
                        + "MeshExternalService missing does not exist");
    }

    @Test
    void tlsMaterialIsReadWhenCompilingAndComparedByContent(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        io.sallyport.testing.TestCertificates.Issued ca = io.sallyport.testing.TestCertificates.builder("ca").ca().build();
        io.sallyport.testing.TestCertificates.Issued other =
                io.sallyport.testing.TestCertificates.builder("other ca").ca().build();
        java.nio.file.Path file = ca.writeCertificate(dir, "ca.pem");
        io.sallyport.core.config.MeshExternalService.Tls tls = new io.sallyport.core.config.MeshExternalService.Tls(
                true, null, false, new io.sallyport.core.config.MeshExternalService.Verification(null, null, List.of(),
                        new io.sallyport.core.config.DataSource.FileRef(file.toString()), null, null));
        io.sallyport.core.config.MeshExternalService service = new io.sallyport.core.config.MeshExternalService(
                TestResources.meta("MeshExternalService", "mes-tls"),
                new io.sallyport.core.config.MeshExternalService.Match("HostnameGenerator", 443, null),
                List.of(endpoint("api.example.com", 443)), tls, null);

        ClusterSpec first = ok(service).clusters().get("mes-tls");
        assertThat(first.tlsMaterial()).isNotNull();
        assertThat(new String(first.tlsMaterial().caCert(), java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo(ca.certificatePem());
        assertThat(ok(service).clusters().get("mes-tls")).isEqualTo(first);

        other.writeCertificate(dir, "ca.pem");
        assertThat(ok(service).clusters().get("mes-tls")).as("a changed CA file is a changed cluster").isNotEqualTo(first);

        java.nio.file.Files.delete(file);
        SnapshotCompiler.Result broken = compile(RuntimeOptions.defaults(), service);
        assertThat(broken.ok()).isFalse();
        assertThat(broken.errors()).anySatisfy(e -> assertThat(e.toString()).contains("caCert"));
    }
}
