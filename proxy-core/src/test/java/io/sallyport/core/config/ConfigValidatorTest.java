package io.sallyport.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cross-resource rules: references, duplicates, listener clashes. */
class ConfigValidatorTest extends ConfigFixture {

    private static String mes(String name, String mesh, String tls) {
        return """
                type: MeshExternalService
                name: %s
                mesh: %s
                spec:
                  match:
                    port: 443
                  endpoints:
                    - address: 127.0.0.1
                      port: 8443
                %s---
                """.formatted(name, mesh, tls);
    }

    @Test
    void secretRefMustNameASecretInTheSameMesh() {
        assertThat(errors(mes("m", "default", """
                  tls:
                    enabled: true
                    verification:
                      caCert:
                        secret: ca
                      clientCert:
                        secret: cert
                      clientKey:
                        secret: key
                """) + """
                type: Secret
                name: cert
                mesh: default
                data: aGVsbG8=
                ---
                type: Secret
                name: key
                mesh: other
                data: aGVsbG8=
                """)).containsExactly(
                "c.yaml:14: MeshExternalService/m: spec.tls.verification.caCert.secret: names no Secret \"ca\" in mesh \"default\"",
                "c.yaml:18: MeshExternalService/m: spec.tls.verification.clientKey.secret: names no Secret \"key\" in mesh \"default\"");
    }

    @Test
    void aBrokenSecretIsReportedOnceWhereItIsDefined() {
        assertThat(errors(mes("m", "default", """
                  tls:
                    verification:
                      caCert:
                        secret: ca
                """) + """
                type: Secret
                name: ca
                data: "***"
                """)).containsExactly("c.yaml:17: Secret/ca: data: must be valid base64");
    }

    private static final String DATAPLANE = """
            type: Dataplane
            name: dp
            mesh: default
            networking:
              address: 127.0.0.1
              outbound:
                - port: 10001
                  backendRef:
                    kind: MeshExternalService
                    name: present
                - port: 10002
                  backendRef:
                    kind: MeshExternalService
                    name: missing
                - port: 10003
                  backendRef:
                    kind: MeshService
                    name: present
                - port: 10004
                  backendRef:
                    kind: MeshExternalService
                    name: elsewhere
            ---
            """;

    @Test
    void outboundMustNameAnExistingMeshExternalService() {
        assertThat(errors(DATAPLANE + mes("present", "default", "") + mes("elsewhere", "other", ""))).containsExactly(
                "c.yaml:14: Dataplane/dp: networking.outbound[1].backendRef.name: names no MeshExternalService \"missing\" in mesh \"default\"",
                "c.yaml:17: Dataplane/dp: networking.outbound[2].backendRef.kind: must be MeshExternalService "
                        + "(Sallyport serves external services), got \"MeshService\"",
                "c.yaml:22: Dataplane/dp: networking.outbound[3].backendRef.name: names no MeshExternalService \"elsewhere\" in mesh \"default\"");
    }

    @Test
    void outboundPortMustBeTheMatchPort() {
        assertThat(errors("""
                type: Dataplane
                name: dp
                networking:
                  address: 127.0.0.1
                  outbound:
                    - port: 10001
                      backendRef:
                        kind: MeshExternalService
                        name: m
                        port: 80
                    - port: 10002
                      backendRef:
                        kind: MeshExternalService
                        name: m
                        port: 443
                ---
                """ + mes("m", "default", ""))).containsExactly(
                "c.yaml:10: Dataplane/dp: networking.outbound[0].backendRef.port: must be the match port 443 of "
                        + "MeshExternalService \"m\", got 80");
    }

    @Test
    void kubernetesPathsCarrySpec() {
        assertThat(errors("""
                apiVersion: kuma.io/v1alpha1
                kind: Dataplane
                metadata:
                  name: dp
                spec:
                  networking:
                    address: 127.0.0.1
                    outbound:
                      - port: 10001
                        backendRef:
                          kind: MeshExternalService
                          name: missing
                """)).containsExactly(
                "c.yaml:12: Dataplane/dp: spec.networking.outbound[0].backendRef.name: names no MeshExternalService \"missing\" in mesh \"default\"");
    }

    @Test
    void duplicateResources() {
        assertThat(errors(mes("same", "default", "") + mes("same", "other", "") + mes("same", "default", "") + """
                type: Mesh
                name: default
                ---
                apiVersion: kuma.io/v1alpha1
                kind: Mesh
                metadata:
                  name: default
                """)).containsExactly(
                "c.yaml:22: MeshExternalService/same: name: duplicate MeshExternalService \"same\" in mesh \"default\" "
                        + "(first defined at c.yaml:1)",
                "c.yaml:37: Mesh/default: metadata.name: duplicate Mesh \"default\" (first defined at c.yaml:31)");
    }

    @Test
    void twoOutboundsOnOneAddressAndPort() {
        assertThat(errors("""
                type: Dataplane
                name: dp
                networking:
                  address: 127.0.0.1
                  outbound:
                    - port: 10001
                      backendRef: {kind: MeshExternalService, name: a}
                    - port: 10001
                      address: 127.0.0.2
                      backendRef: {kind: MeshExternalService, name: a}
                    - port: 10001
                      address: 127.0.0.1
                      backendRef: {kind: MeshExternalService, name: a}
                    - port: 10002
                      address: "::1"
                      backendRef: {kind: MeshExternalService, name: a}
                    - port: 10002
                      address: "0:0:0:0:0:0:0:1"
                      backendRef: {kind: MeshExternalService, name: a}
                ---
                """ + mes("a", "default", ""))).containsExactly(
                "c.yaml:11: Dataplane/dp: networking.outbound[2].port: listener 127.0.0.1:10001 clashes with "
                        + "networking.outbound[0].port (127.0.0.1:10001)",
                "c.yaml:17: Dataplane/dp: networking.outbound[4].port: listener [0:0:0:0:0:0:0:1]:10002 clashes with "
                        + "networking.outbound[3].port ([::1]:10002)");
    }

    @Test
    void outboundOnTheRedirectOrAdminPort() {
        assertThat(errors("""
                type: Dataplane
                name: dp
                networking:
                  address: 127.0.0.1
                  outbound:
                    - port: 15001
                      address: 127.0.0.5
                      backendRef: {kind: MeshExternalService, name: a}
                    - port: 9901
                      backendRef: {kind: MeshExternalService, name: a}
                  admin:
                    port: 9901
                  transparentProxying:
                    redirectPortOutbound: 15001
                ---
                """ + mes("a", "default", ""))).containsExactly(
                "c.yaml:12: Dataplane/dp: networking.admin.port: listener 127.0.0.1:9901 clashes with "
                        + "networking.outbound[1].port (127.0.0.1:9901)",
                "c.yaml:14: Dataplane/dp: networking.transparentProxying.redirectPortOutbound: listener 0.0.0.0:15001 "
                        + "clashes with networking.outbound[0].port (127.0.0.5:15001)");
    }

    @Test
    void zoneEgressPortClashesWithADataplaneListener() {
        assertThat(errors("""
                type: Dataplane
                name: dp
                networking:
                  address: 127.0.0.1
                  outbound:
                    - port: 10002
                      backendRef: {kind: MeshExternalService, name: a}
                ---
                type: ZoneEgress
                name: ze
                networking:
                  address: 0.0.0.0
                  port: 10002
                ---
                type: ZoneEgress
                name: ze6
                networking:
                  address: "::"
                  port: 10002
                ---
                """ + mes("a", "default", ""))).containsExactly(
                "c.yaml:13: ZoneEgress/ze: networking.port: listener 0.0.0.0:10002 clashes with Dataplane/dp "
                        + "networking.outbound[0].port (127.0.0.1:10002)",
                "c.yaml:19: ZoneEgress/ze6: networking.port: listener [::]:10002 clashes with Dataplane/dp "
                        + "networking.outbound[0].port (127.0.0.1:10002)");
    }

    @Test
    void validateWorksOnSetsBuiltInCode() {
        ResourceMeta meta = new ResourceMeta("Dataplane", "coded", "default", null, Map.of(), Origin.synthetic("code"));
        Dataplane dp = new Dataplane(meta, "127.0.0.1", List.of(new Dataplane.Outbound(null, 1000,
                new Dataplane.BackendRef("MeshExternalService", "nowhere", null))), null, null, List.of());
        assertThat(ConfigValidator.validate(new ConfigSet(List.of(dp)))).extracting(ConfigError::toString).containsExactly(
                "code:0: Dataplane/coded: networking.outbound[0].backendRef.name: names no MeshExternalService \"nowhere\" in mesh \"default\"");
    }
}
