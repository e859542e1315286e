package io.sallyport.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** MeshPassthrough (Kuma's appendMatch rules), MeshTimeout durations, MeshTrafficPermission and Mesh checks. */
class PolicyRulesTest extends ConfigFixture {

    private static String passthrough(String matches) {
        return """
                type: MeshPassthrough
                name: p
                mesh: default
                spec:
                  targetRef:
                    kind: Mesh
                  default:
                    passthroughMode: Matched
                    appendMatch:
                """ + matches.stripTrailing().lines().map(l -> "      " + l).reduce((a, b) -> a + "\n" + b).orElse("")
                + "\n";
    }

    @Test
    void domainWithTcpIsRejected() {
        assertThat(errors(passthrough("""
                - type: Domain
                  value: example.com
                  port: 443
                  protocol: tcp
                """))).containsExactly(
                "c.yaml:13: MeshPassthrough/p: spec.default.appendMatch[0].protocol: protocol tcp is not supported "
                        + "for a Domain match (use tls, http, http2 or grpc: the domain is read from SNI or Host)");
    }

    @Test
    void domainDefaultsToTcpAndIsRejectedToo() {
        assertThat(errors(passthrough("""
                - type: Domain
                  value: example.com
                """))).containsExactly(
                "c.yaml:10: MeshPassthrough/p: spec.default.appendMatch[0].protocol: protocol tcp is not supported "
                        + "for a Domain match (use tls, http, http2 or grpc: the domain is read from SNI or Host)");
    }

    @Test
    void partialWildcardIsRejected() {
        assertThat(errors(passthrough("""
                - type: Domain
                  value: "*w.example.com"
                  port: 443
                  protocol: tls
                """))).containsExactly(
                "c.yaml:11: MeshPassthrough/p: spec.default.appendMatch[0].value: partial wildcard \"*w.example.com\" "
                        + "is not supported; use \"*.domain\"");
    }

    @Test
    void wildcardWithL7ProtocolNeedsAPort() {
        assertThat(errors(passthrough("""
                - type: Domain
                  value: "*.example.com"
                  protocol: http
                - type: Domain
                  value: "*.example.org"
                  protocol: tls
                """))).containsExactly(
                "c.yaml:10: MeshPassthrough/p: spec.default.appendMatch[0].port: must be set for a wildcard domain with protocol http");
    }

    @Test
    void twoDifferentL7ProtocolsOnOnePort() {
        assertThat(errors(passthrough("""
                - type: Domain
                  value: a.example.com
                  port: 8080
                  protocol: http
                - type: Domain
                  value: b.example.com
                  port: 8080
                  protocol: http2
                - type: IP
                  value: 10.0.0.1
                  port: 8080
                  protocol: tcp
                - type: Domain
                  value: c.example.com
                  port: 8080
                  protocol: http
                """))).containsExactly(
                "c.yaml:16: MeshPassthrough/p: spec.default.appendMatch[1].port: port 8080 already carries protocol http; "
                        + "one port takes one of http, http2, grpc");
    }

    @Test
    void duplicateValueOnOnePortAndProtocol() {
        assertThat(errors(passthrough("""
                - type: Domain
                  value: google.com
                  port: 10000
                  protocol: http
                - type: Domain
                  value: google.com
                  port: 10000
                  protocol: http
                - type: Domain
                  value: google.com
                  port: 10001
                  protocol: http
                """))).containsExactly(
                "c.yaml:15: MeshPassthrough/p: spec.default.appendMatch[1].value: value google.com is already defined "
                        + "for port 10000 and protocol http");
    }

    @Test
    void ipAndCidrValuesAreChecked() {
        assertThat(errors(passthrough("""
                - type: IP
                  value: example.com
                  port: 1
                - type: CIDR
                  value: 1.2.3.4
                  port: 999
                - type: CIDR
                  value: 10.0.0.0/33
                - type: IP
                  value: "::1"
                - type: CIDR
                  value: "fd00::/8"
                """))).containsExactly(
                "c.yaml:11: MeshPassthrough/p: spec.default.appendMatch[0].value: must be an IP address, got \"example.com\"",
                "c.yaml:14: MeshPassthrough/p: spec.default.appendMatch[1].value: must be a CIDR, got \"1.2.3.4\"",
                "c.yaml:17: MeshPassthrough/p: spec.default.appendMatch[2].value: must be a CIDR, got \"10.0.0.0/33\"");
    }

    @Test
    void typeProtocolPortAndModeAreChecked() {
        assertThat(errors(passthrough("""
                - type: test
                  value: 1.2.3.4
                  port: 0
                  protocol: mysql
                - type: Domain
                  value: "bad domain"
                  port: 443
                  protocol: tls
                """).replace("passthroughMode: Matched", "passthroughMode: Some"))).containsExactly(
                "c.yaml:8: MeshPassthrough/p: spec.default.passthroughMode: must be one of All, Matched, None, got \"Some\"",
                "c.yaml:10: MeshPassthrough/p: spec.default.appendMatch[0].type: must be one of Domain, IP, CIDR, got \"test\"",
                "c.yaml:12: MeshPassthrough/p: spec.default.appendMatch[0].port: must be between 1 and 65535, got 0",
                "c.yaml:13: MeshPassthrough/p: spec.default.appendMatch[0].protocol: must be one of tcp, tls, http, http2, grpc, got \"mysql\"",
                "c.yaml:15: MeshPassthrough/p: spec.default.appendMatch[1].value: must be a DNS name or *.domain, got \"bad domain\"");
    }

    @Test
    void passthroughTargetRefKinds() {
        assertThat(errors("""
                type: MeshPassthrough
                name: p
                spec:
                  targetRef:
                    kind: MeshService
                    name: web
                  default:
                    passthroughMode: All
                """)).containsExactly(
                "c.yaml:5: MeshPassthrough/p: spec.targetRef.kind: must be one of Mesh, MeshSubset, Dataplane, got \"MeshService\"");
    }

    private static String timeout(String defaults) {
        return """
                type: MeshTimeout
                name: t
                mesh: default
                spec:
                  targetRef:
                    kind: Mesh
                  to:
                    - targetRef:
                        kind: MeshExternalService
                        name: httpbin
                      default:
                """ + defaults.stripTrailing().lines().map(l -> "        " + l).reduce((a, b) -> a + "\n" + b).orElse("")
                + "\n";
    }

    @Test
    void goStyleDurationsAreAccepted() {
        MeshTimeout mt = single(timeout("""
                connectionTimeout: 100ms
                idleTimeout: 0s
                http:
                  requestTimeout: 1m30s
                  streamIdleTimeout: 1h
                  maxStreamDuration: "0"
                  requestHeadersTimeout: 1.5s
                """), MeshTimeout.class);
        assertThat(mt.to().get(0).timeouts().requestTimeout()).hasSeconds(90);
        assertThat(mt.to().get(0).timeouts().idleTimeout()).isZero();
    }

    @Test
    void badDurationsAreRejected() {
        assertThat(errors(timeout("""
                connectionTimeout: 5
                idleTimeout: 1d
                http:
                  requestTimeout: -1s
                  streamIdleTimeout: 5 s
                  maxStreamDuration: 1m30
                """))).containsExactly(
                "c.yaml:12: MeshTimeout/t: spec.to[0].default.connectionTimeout: must be a duration like 5s, 1m30s or 100ms, got \"5\"",
                "c.yaml:13: MeshTimeout/t: spec.to[0].default.idleTimeout: must be a duration like 5s, 1m30s or 100ms, got \"1d\"",
                "c.yaml:15: MeshTimeout/t: spec.to[0].default.http.requestTimeout: must be a duration like 5s, 1m30s or 100ms, got \"-1s\"",
                "c.yaml:16: MeshTimeout/t: spec.to[0].default.http.streamIdleTimeout: must be a duration like 5s, 1m30s or 100ms, got \"5 s\"",
                "c.yaml:17: MeshTimeout/t: spec.to[0].default.http.maxStreamDuration: must be a duration like 5s, 1m30s or 100ms, got \"1m30\"");
    }

    @Test
    void connectionTimeoutCannotBeZero() {
        assertThat(errors(timeout("connectionTimeout: 0s"))).containsExactly(
                "c.yaml:12: MeshTimeout/t: spec.to[0].default.connectionTimeout: must be greater than 0");
    }

    @Test
    void targetRefRules() {
        assertThat(errors("""
                type: MeshTimeout
                name: t
                spec:
                  to:
                    - targetRef:
                        kind: MeshExternalService
                      default:
                        idleTimeout: 1s
                    - targetRef:
                        kind: Mesh
                        name: default
                      default: {}
                    - targetRef:
                        kind: Galaxy
                    - default: {}
                """)).containsExactly(
                "c.yaml:5: MeshTimeout/t: spec.to[0].targetRef.name: must be set for kind MeshExternalService (or labels)",
                "c.yaml:11: MeshTimeout/t: spec.to[1].targetRef.name: must not be set for kind Mesh",
                "c.yaml:14: MeshTimeout/t: spec.to[2].targetRef.kind: must be one of Mesh, MeshSubset, MeshGateway, "
                        + "MeshService, MeshExternalService, MeshMultiZoneService, MeshServiceSubset, MeshHTTPRoute, "
                        + "Dataplane, got \"Galaxy\"",
                "c.yaml:15: MeshTimeout/t: spec.to[3].targetRef: must be set");
    }

    @Test
    void trafficPermissionRules() {
        assertThat(errors("""
                type: MeshTrafficPermission
                name: mtp
                spec:
                  targetRef:
                    kind: MeshExternalService
                    name: httpbin
                  from:
                    - targetRef:
                        kind: Mesh
                      default:
                        action: ALLOW
                    - targetRef:
                        kind: Mesh
                  rules:
                    - default:
                        allow:
                          - spiffeID:
                              type: Regex
                              value: spiffe://default/x
                          - spiffeID:
                              type: Exact
                              value: web
                          - sni:
                              type: Exact
                              value: a.example.com
                """)).containsExactly(
                "c.yaml:11: MeshTrafficPermission/mtp: spec.from[0].default.action: must be one of Allow, Deny, AllowWithShadowDeny, got \"ALLOW\"",
                "c.yaml:12: MeshTrafficPermission/mtp: spec.from[1].default: must be set",
                "c.yaml:18: MeshTrafficPermission/mtp: spec.rules[0].default.allow[0].spiffeID.type: must be one of Exact, Prefix, got \"Regex\"",
                "c.yaml:22: MeshTrafficPermission/mtp: spec.rules[0].default.allow[1].spiffeID.value: must be a SPIFFE ID (spiffe://...), got \"web\"",
                "c.yaml:23: MeshTrafficPermission/mtp: spec.rules[0].default.allow[2].sni: sni matchers are not supported by Sallyport; match on spiffeID");
    }

    @Test
    void meshEnabledBackendMustNameABackend() {
        assertThat(errors("""
                type: Mesh
                name: default
                mtls:
                  enabledBackend: ca-2
                  backends:
                    - name: ca-1
                      type: builtin
                routing:
                  zoneEgress: "true"
                """)).containsExactly(
                "c.yaml:4: Mesh/default: mtls.enabledBackend: must name one of mtls.backends (ca-1), got \"ca-2\"",
                "c.yaml:9: Mesh/default: routing.zoneEgress: must be a boolean");
    }

    @Test
    void meshHasNoMeshField() {
        assertThat(errors("""
                type: Mesh
                name: default
                mesh: default
                """)).containsExactly("c.yaml:3: Mesh/default: mesh: unknown field \"mesh\"");
    }

    @Test
    void dataplaneFieldChecks() {
        assertThat(errors("""
                type: Dataplane
                name: dp
                networking:
                  address: localhost
                  outbound:
                    - port: 10080
                      address: my-host
                      backendRef:
                        kind: MeshExternalService
                    - port: 10081
                      tags:
                        kuma.io/service: legacy
                  admin:
                    port: 99999
                  transparentProxying:
                    redirectPortOutbound: 0
                """)).containsExactly(
                "c.yaml:4: Dataplane/dp: networking.address: must be an IP address, got \"localhost\"",
                "c.yaml:7: Dataplane/dp: networking.outbound[0].address: must be an IP address, got \"my-host\"",
                "c.yaml:8: Dataplane/dp: networking.outbound[0].backendRef.name: must be set",
                "c.yaml:10: Dataplane/dp: networking.outbound[1].backendRef: must be set: Sallyport serves outbounds whose backendRef is a MeshExternalService",
                "c.yaml:14: Dataplane/dp: networking.admin.port: must be between 1 and 65535, got 99999",
                "c.yaml:16: Dataplane/dp: networking.transparentProxying.redirectPortOutbound: must be between 1 and 65535, got 0");
    }
}
