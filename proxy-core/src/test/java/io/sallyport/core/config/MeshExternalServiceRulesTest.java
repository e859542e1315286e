package io.sallyport.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Every MeshExternalService rule, each with its exact message and line. */
class MeshExternalServiceRulesTest extends ConfigFixture {

    /** A valid MES whose {@code spec} continues with {@code rest} (indented two spaces). */
    private static String mes(String match, String rest) {
        return """
                type: MeshExternalService
                name: m
                spec:
                  match:
                %s
                %s""".formatted(indent(match, 4), indent(rest, 2));
    }

    private static String indent(String s, int n) {
        return s.stripTrailing().lines().map(l -> " ".repeat(n) + l).reduce((a, b) -> a + "\n" + b).orElse("");
    }

    private static final String PORT = "port: 443";
    private static final String ENDPOINT = """
            endpoints:
              - address: 127.0.0.1
                port: 8443
            """;

    @Test
    void matchPortOutsideRange() {
        assertThat(errors(mes("port: 0", ENDPOINT))).containsExactly(
                "c.yaml:5: MeshExternalService/m: spec.match.port: must be between 1 and 65535, got 0");
        assertThat(errors(mes("port: 65536", ENDPOINT))).containsExactly(
                "c.yaml:5: MeshExternalService/m: spec.match.port: must be between 1 and 65535, got 65536");
    }

    @Test
    void matchPortRequired() {
        assertThat(errors(mes("protocol: tcp", ENDPOINT))).containsExactly(
                "c.yaml:4: MeshExternalService/m: spec.match.port: must be set");
    }

    @Test
    void matchProtocolNotInTheList() {
        assertThat(errors(mes("port: 443\nprotocol: tls", ENDPOINT))).containsExactly(
                "c.yaml:6: MeshExternalService/m: spec.match.protocol: must be one of tcp, http, http2, grpc, got \"tls\"");
    }

    @Test
    void matchTypeOnlyHostnameGenerator() {
        assertThat(errors(mes("port: 443\ntype: Static", ENDPOINT))).containsExactly(
                "c.yaml:6: MeshExternalService/m: spec.match.type: must be one of HostnameGenerator, got \"Static\"");
    }

    @Test
    void withoutEndpoints() {
        assertThat(errors(mes(PORT, ""))).containsExactly(
                "c.yaml:3: MeshExternalService/m: spec.endpoints: must have at least one endpoint");
        assertThat(errors(mes(PORT, "endpoints: []"))).containsExactly(
                "c.yaml:6: MeshExternalService/m: spec.endpoints: must have at least one endpoint");
    }

    @Test
    void endpointWithoutPort() {
        assertThat(errors(mes(PORT, """
                endpoints:
                  - address: 127.0.0.1
                  - address: api.example.com
                """))).containsExactly(
                "c.yaml:7: MeshExternalService/m: spec.endpoints[0].port: must be set (only unix:// endpoints have no port)",
                "c.yaml:8: MeshExternalService/m: spec.endpoints[1].port: must be set (only unix:// endpoints have no port)");
    }

    @Test
    void endpointPortOutsideRange() {
        assertThat(errors(mes(PORT, """
                endpoints:
                  - address: 127.0.0.1
                    port: 70000
                """))).containsExactly(
                "c.yaml:8: MeshExternalService/m: spec.endpoints[0].port: must be between 1 and 65535, got 70000");
    }

    @Test
    void unixEndpointTakesNoPort() {
        assertThat(errors(mes(PORT, """
                endpoints:
                  - address: unix:///tmp/app.sock
                    port: 80
                """))).containsExactly(
                "c.yaml:8: MeshExternalService/m: spec.endpoints[0].port: must not be set for a unix socket endpoint");
    }

    @Test
    void malformedUnixPaths() {
        assertThat(errors(mes(PORT, """
                endpoints:
                  - address: unix://tmp/app.sock
                  - address: unix://
                  - address: unix:///tmp/dir/
                  - address: unix:///%s
                """.formatted("x".repeat(107))))).containsExactly(
                "c.yaml:7: MeshExternalService/m: spec.endpoints[0].address: must be unix:///absolute/path, got \"unix://tmp/app.sock\"",
                "c.yaml:8: MeshExternalService/m: spec.endpoints[1].address: must be unix:///absolute/path, got \"unix://\"",
                "c.yaml:9: MeshExternalService/m: spec.endpoints[2].address: must be unix:///absolute/path, got \"unix:///tmp/dir/\"",
                "c.yaml:10: MeshExternalService/m: spec.endpoints[3].address: unix socket path is longer than 107 bytes");
    }

    @Test
    void endpointAddressNeitherIpNorNameNorUnix() {
        assertThat(errors(mes(PORT, """
                endpoints:
                  - address: "http://api.example.com"
                    port: 80
                """))).containsExactly(
                "c.yaml:7: MeshExternalService/m: spec.endpoints[0].address: must be an IP address, a DNS name or "
                        + "unix:///absolute/path, got \"http://api.example.com\"");
    }

    @Test
    void endpointPriorityNotNegative() {
        assertThat(errors(mes(PORT, """
                endpoints:
                  - address: 127.0.0.1
                    port: 80
                    priority: -1
                """))).containsExactly(
                "c.yaml:9: MeshExternalService/m: spec.endpoints[0].priority: must not be negative");
    }

    @Test
    void clientCertWithoutClientKeyAndTheReverse() {
        assertThat(errors(mes(PORT, ENDPOINT + """
                tls:
                  enabled: true
                  verification:
                    clientCert:
                      file: /tmp/c.pem
                """))).containsExactly(
                "c.yaml:11: MeshExternalService/m: spec.tls.verification.clientKey: must be set when clientCert is set");
        assertThat(errors(mes(PORT, ENDPOINT + """
                tls:
                  enabled: true
                  verification:
                    clientKey:
                      file: /tmp/k.pem
                """))).containsExactly(
                "c.yaml:11: MeshExternalService/m: spec.tls.verification.clientCert: must be set when clientKey is set");
    }

    @Test
    void dataSourceMustBeExactlyOneForm() {
        assertThat(errors(mes(PORT, ENDPOINT + """
                tls:
                  enabled: true
                  verification:
                    caCert:
                      file: /tmp/ca.pem
                      inlineString: x
                    clientCert: {}
                    clientKey:
                      secrt: key
                """))).containsExactly(
                "c.yaml:12: MeshExternalService/m: spec.tls.verification.caCert: must set exactly one of inline, inlineString, secret, file",
                "c.yaml:15: MeshExternalService/m: spec.tls.verification.clientCert: must set exactly one of inline, inlineString, secret, file",
                "c.yaml:16: MeshExternalService/m: spec.tls.verification.clientKey: must set exactly one of inline, inlineString, secret, file",
                "c.yaml:17: MeshExternalService/m: spec.tls.verification.clientKey.secrt: unknown field \"secrt\"; did you mean \"secret\"?");
    }

    @Test
    void badBase64Inline() {
        assertThat(errors(mes(PORT, ENDPOINT + """
                tls:
                  enabled: true
                  verification:
                    caCert:
                      inline: "LS0tLS1CRUdJTi*"
                """))).containsExactly(
                "c.yaml:13: MeshExternalService/m: spec.tls.verification.caCert.inline: must be valid base64");
    }

    @Test
    void serverNameMustBeADnsName() {
        assertThat(errors(mes(PORT, ENDPOINT + """
                tls:
                  enabled: true
                  verification:
                    serverName: "not a name"
                """))).containsExactly(
                "c.yaml:12: MeshExternalService/m: spec.tls.verification.serverName: must be a DNS name, got \"not a name\"");
        assertThat(errors(mes(PORT, ENDPOINT + """
                tls:
                  verification:
                    serverName: 10.0.0.1
                """))).containsExactly(
                "c.yaml:11: MeshExternalService/m: spec.tls.verification.serverName: must be a DNS name, got \"10.0.0.1\"");
    }

    @Test
    void sanTypeExactOrPrefix() {
        assertThat(errors(mes(PORT, ENDPOINT + """
                tls:
                  enabled: true
                  verification:
                    subjectAltNames:
                      - type: Regex
                        value: ".*"
                      - type: Exact
                """))).containsExactly(
                "c.yaml:13: MeshExternalService/m: spec.tls.verification.subjectAltNames[0].type: must be one of Exact, Prefix, got \"Regex\"",
                "c.yaml:15: MeshExternalService/m: spec.tls.verification.subjectAltNames[1].value: must be set");
    }

    @Test
    void versionMinAboveMax() {
        assertThat(errors(mes(PORT, ENDPOINT + """
                tls:
                  enabled: true
                  version:
                    min: TLS13
                    max: TLS12
                """))).containsExactly(
                "c.yaml:12: MeshExternalService/m: spec.tls.version.min: min TLS13 is above max TLS12");
    }

    @Test
    void versionNamesAndTheLowestMax() {
        assertThat(errors(mes(PORT, ENDPOINT + """
                tls:
                  version:
                    min: TLS1.2
                """))).containsExactly(
                "c.yaml:11: MeshExternalService/m: spec.tls.version.min: must be one of TLSAuto, TLS10, TLS11, TLS12, TLS13, got \"TLS1.2\"");
        assertThat(errors(mes(PORT, ENDPOINT + """
                tls:
                  version:
                    max: TLS11
                """))).containsExactly(
                "c.yaml:11: MeshExternalService/m: spec.tls.version.max: max TLS11 is below TLS12, the oldest version Sallyport speaks");
    }

    @Test
    void autoAndOldMinimumsLeaveTheBoundOpen() {
        MeshExternalService m = single(mes(PORT, ENDPOINT + """
                tls:
                  version:
                    min: TLS10
                    max: TLSAuto
                """), MeshExternalService.class);
        assertThat(m.tls().version()).isEqualTo(new MeshExternalService.Version(null, null));
    }

    @Test
    void verificationMode() {
        assertThat(errors(mes(PORT, ENDPOINT + """
                tls:
                  verification:
                    mode: SkipNothing
                """))).containsExactly(
                "c.yaml:11: MeshExternalService/m: spec.tls.verification.mode: must be one of Secured, SkipSAN, SkipCA, SkipAll, got \"SkipNothing\"");
        MeshExternalService m = single(mes(PORT, ENDPOINT + """
                tls:
                  verification:
                    mode: SkipALL
                """), MeshExternalService.class);
        assertThat(m.tls().verification().mode()).isEqualTo(MeshExternalService.VerificationMode.SkipAll);
    }

    @Test
    void everyErrorOfOneResourceAtOnce() {
        assertThat(errors(mes("port: 0\nprotocol: udp", """
                endpoints:
                  - address: unix:/x
                tls:
                  version:
                    min: TLS13
                    max: TLS12
                """))).hasSize(4);
    }
}
