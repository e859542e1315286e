package io.sallyport.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** HostnameGenerator rules as `validate` reports them: template syntax, missing labels, collisions. */
class HostnameRulesTest extends ConfigFixture {

    private static final String MES_A = """
            type: MeshExternalService
            name: a
            labels:
              team: x
            spec:
              match:
                port: 80
              endpoints:
                - address: 127.0.0.1
                  port: 8080
            ---
            """;

    @Test
    void templateThatDoesNotParseIsReportedAtItsLine() {
        assertThat(errors(MES_A + """
                type: HostnameGenerator
                name: broken
                spec:
                  selector:
                    meshExternalService:
                      matchLabels: {}
                  template: "{{ .DisplayName }.svc"
                """)).singleElement().asString()
                .startsWith("c.yaml:18: HostnameGenerator/broken: spec.template: invalid template: ");
    }

    @Test
    void missingLabelIsReportedOnTheService() {
        assertThat(errors(MES_A + """
                type: HostnameGenerator
                name: by-label
                spec:
                  selector:
                    meshExternalService:
                      matchLabels: {}
                  template: '{{ label "owner" }}.svc'
                """)).singleElement().asString()
                .startsWith("c.yaml:3: MeshExternalService/a: labels: HostnameGenerator/by-label: label ");
    }

    @Test
    void twoServicesThatGenerateTheSameHostnameAreAnError() {
        assertThat(errors(MES_A + """
                type: MeshExternalService
                name: b
                labels:
                  team: x
                spec:
                  match:
                    port: 80
                  endpoints:
                    - address: 127.0.0.1
                      port: 8081
                ---
                type: HostnameGenerator
                name: per-team
                spec:
                  selector:
                    meshExternalService:
                      matchLabels:
                        team: x
                  template: '{{ label "team" }}.svc.meshext.local'
                """)).containsExactly("c.yaml:13: MeshExternalService/b: name: hostname \"x.svc.meshext.local\""
                + " (from HostnameGenerator/per-team) is already generated for MeshExternalService/a");
    }

    @Test
    void kumasDocumentedTemplateValidates() {
        assertThat(errors(MES_A + """
                type: HostnameGenerator
                name: example
                spec:
                  selector:
                    meshExternalService:
                      matchLabels:
                        kuma.io/origin: zone
                  template: "{{ .DisplayName }}.svc.meshext.local"
                """)).isEmpty();
    }
}
