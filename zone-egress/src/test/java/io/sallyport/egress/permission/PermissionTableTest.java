package io.sallyport.egress.permission;

import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.core.config.ConfigLoader;
import io.sallyport.core.config.LoadResult;
import io.sallyport.egress.identity.SpiffeId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PermissionTableTest {

    private static final String SERVICES = """
            type: Mesh
            name: default
            routing:
              zoneEgress: true
              defaultForbidMeshExternalServiceAccess: %s
            mtls:
              enabledBackend: ca-1
              backends:
                - name: ca-1
                  type: builtin
            ---
            type: MeshExternalService
            name: httpbin
            mesh: default
            labels:
              team: red
            spec:
              match: {type: HostnameGenerator, port: 80, protocol: tcp}
              endpoints: [{address: 127.0.0.1, port: 8080}]
            ---
            type: MeshExternalService
            name: payments
            mesh: default
            spec:
              match: {type: HostnameGenerator, port: 443, protocol: tcp}
              endpoints: [{address: 127.0.0.1, port: 8443}]
            ---
            type: MeshExternalService
            name: open
            mesh: default
            spec:
              match: {type: HostnameGenerator, port: 9000, protocol: tcp}
              endpoints: [{address: 127.0.0.1, port: 9000}]
            ---
            type: MeshTrafficPermission
            name: httpbin-rules
            mesh: default
            spec:
              targetRef: {kind: MeshExternalService, name: httpbin}
              rules:
                - default:
                    allow:
                      - spiffeID: {type: Prefix, value: "spiffe://default/web"}
                    deny:
                      - spiffeID: {type: Exact, value: "spiffe://default/web-canary"}
            ---
            type: MeshTrafficPermission
            name: red-team
            mesh: default
            spec:
              targetRef:
                kind: MeshExternalService
                labels: {team: red}
              from:
                - targetRef: {kind: MeshService, name: batch}
                  default: {action: Allow}
                - targetRef:
                    kind: MeshSubset
                    tags: {kuma.io/service: intruder}
                  default: {action: Deny}
            ---
            type: MeshTrafficPermission
            name: payments-only-billing
            mesh: default
            spec:
              targetRef: {kind: MeshExternalService, name: payments}
              from:
                - targetRef:
                    kind: MeshSubset
                    tags: {kuma.io/service: billing}
                  default: {action: Allow}
                - targetRef: {kind: Mesh}
                  default: {action: Deny}
            """;

    private static PermissionTable table(boolean forbid) {
        LoadResult r = ConfigLoader.parse("test.yaml", SERVICES.formatted(forbid));
        assertThat(r.errors()).isEmpty();
        return PermissionTable.compile(r.config());
    }

    @ParameterizedTest(name = "{0} -> {1} (forbid={2}): {3}")
    @CsvSource({
        // rules[]: Prefix allow, Exact deny wins over it.
        "spiffe://default/web,          httpbin,  true,  ALLOW",
        "spiffe://default/web-2,        httpbin,  true,  ALLOW",
        "spiffe://default/web-canary,   httpbin,  false, DENY",
        // from[] by labels: MeshService name = kuma.io/service (last path segment).
        "spiffe://default/ns/jobs/batch, httpbin, true,  ALLOW",
        "spiffe://default/intruder,     httpbin,  false, DENY",
        // No entry matches: the Mesh default decides.
        "spiffe://default/other,        httpbin,  true,  DENY",
        "spiffe://default/other,        httpbin,  false, ALLOW",
        // Deny from the whole Mesh wins over the Allow of billing.
        "spiffe://default/billing,      payments, false, DENY",
        "spiffe://default/web,          payments, false, DENY",
        // No policy at all.
        "spiffe://default/web,          open,     false, ALLOW",
        "spiffe://default/web,          open,     true,  DENY",
        // Other mesh, unknown service.
        "spiffe://other/web,            open,     false, DENY",
        "spiffe://default/web,          missing,  false, DENY",
    })
    void decides(String caller, String service, boolean forbid, PermissionTable.Verdict expected) {
        PermissionTable.Decision d = table(forbid).decide(service, SpiffeId.parse(caller));
        assertThat(d.verdict()).as(d.source()).isEqualTo(expected);
        assertThat(d.source()).isNotBlank();
    }

    @ParameterizedTest
    @CsvSource({
        "spiffe://default/web-canary, MeshTrafficPermission/httpbin-rules rules[0].deny",
        "spiffe://default/other,      Mesh/default defaultForbidMeshExternalServiceAccess=true",
    })
    void namesWhatDecided(String caller, String source) {
        assertThat(table(true).decide("httpbin", SpiffeId.parse(caller)).source()).isEqualTo(source);
    }
}
