package io.sallyport.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.core.cluster.ClusterSpec;
import io.sallyport.core.cluster.Endpoint;
import io.sallyport.core.config.ConfigLoader;
import io.sallyport.core.config.LoadResult;
import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which sidecar clusters go through the zone egress, and what they then connect to. */
class ZoneEgressRoutingTest {

    private static final String CONFIG = """
            type: Mesh
            name: default
            routing:
              zoneEgress: %s
              defaultForbidMeshExternalServiceAccess: true
            %s
            ---
            type: MeshExternalService
            name: api
            mesh: default
            labels:
              kuma.io/display-name: api-display
            spec:
              match: {type: HostnameGenerator, port: 443, protocol: tcp}
              endpoints: [{address: 203.0.113.7, port: 8443}]
            ---
            type: Dataplane
            name: web
            mesh: default
            networking:
              address: 127.0.0.1
              outbound:
                - {port: 4443, backendRef: {kind: MeshExternalService, name: api}}
            """;

    private static final String MTLS = """
            mtls:
              enabledBackend: ca-1
              backends:
                - name: ca-1
                  type: builtin""";

    private static final String EGRESS = """
            ---
            type: ZoneEgress
            name: egress
            networking:
              address: 127.0.0.2
              port: 10002
            """;

    @ParameterizedTest(name = "zoneEgress={0} mtls={1} egress doc={2} -> via egress {3}")
    @CsvSource({
        "true,  true,  true,  true",
        "true,  false, true,  false",
        "false, true,  true,  false",
        "true,  true,  false, false",
    })
    void routesThroughTheEgressOnlyWhenAllThreeHold(boolean zoneEgress, boolean mtls, boolean egressDoc,
                                                     boolean via) throws Exception {
        String yaml = CONFIG.formatted(zoneEgress, mtls ? MTLS : "") + (egressDoc ? EGRESS : "");
        LoadResult r = ConfigLoader.parse("c.yaml", yaml);
        assertThat(r.errors()).isEmpty();
        SnapshotCompiler.Result c = SnapshotCompiler.compile(r.config(), RuntimeOptions.defaults(), 1);
        assertThat(c.errors()).isEmpty();
        ClusterSpec api = c.snapshot().clusters().get("api");
        ListenerSpec outbound = c.snapshot().listeners().get(0);
        if (via) {
            assertThat(api.viaZoneEgress()).isNotNull();
            assertThat(api.viaZoneEgress().displayName()).isEqualTo("api-display");
            assertThat(api.viaZoneEgress().port()).isEqualTo(443);
            assertThat(api.levels()).hasSize(1);
            assertThat(api.levels().get(0).endpoints())
                    .containsExactly(new Endpoint.Ip(InetAddress.getByName("127.0.0.2"), 10002));
            // The egress decides with the caller's identity and the MeshTrafficPermissions.
            assertThat(outbound.forbidden()).isFalse();
        } else {
            assertThat(api.viaZoneEgress()).isNull();
            assertThat(api.levels().get(0).endpoints())
                    .containsExactly(new Endpoint.Ip(InetAddress.getByName("203.0.113.7"), 8443));
            assertThat(outbound.forbidden()).isTrue();
        }
    }

    @org.junit.jupiter.api.Test
    void anEgressConnectsTheEndpointsItself() {
        LoadResult r = ConfigLoader.parse("c.yaml", CONFIG.formatted(true, MTLS) + EGRESS);
        SnapshotCompiler.Result c = SnapshotCompiler.compile(r.config(),
                new RuntimeOptions(ProxyType.EGRESS, null, null, null, null), 1);
        assertThat(c.snapshot().clusters().get("api").viaZoneEgress()).isNull();
        assertThat(c.snapshot().listeners()).isEmpty();
    }
}
