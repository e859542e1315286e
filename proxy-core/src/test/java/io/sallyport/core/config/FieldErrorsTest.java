package io.sallyport.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Errors every kind shares: YAML syntax, document shape, kinds, unknown fields, value types. */
class FieldErrorsTest extends ConfigFixture {

    @Test
    void yamlSyntaxErrorIsOneErrorWithItsLine() {
        assertThat(errors("""
                type: Secret
                name: s
                data: [unclosed
                other: 1
                """)).hasSize(1).first().asString()
                .startsWith("c.yaml:4: -: -: invalid YAML: ");
    }

    @Test
    void syntaxErrorInALaterDocumentKeepsEarlierDocumentsErrors() {
        assertThat(errors("""
                type: Secret
                name: s
                data: "%%%"
                ---
                a: b: c
                """)).containsExactly(
                "c.yaml:3: Secret/s: data: must be valid base64",
                "c.yaml:5: -: -: invalid YAML: mapping values are not allowed here");
    }

    @Test
    void unknownKindSuggestsTheClosestKind() {
        assertThat(errors("""
                type: MeshExternalServce
                name: x
                spec: {}
                """)).containsExactly(
                "c.yaml:1: MeshExternalServce/x: type: unknown kind \"MeshExternalServce\"; did you mean \"MeshExternalService\"?");
        assertThat(errors("""
                apiVersion: kuma.io/v1alpha1
                kind: TrafficRoute
                metadata:
                  name: y
                """)).containsExactly(
                "c.yaml:2: TrafficRoute/y: kind: unknown kind \"TrafficRoute\"; expected one of MeshExternalService, "
                        + "HostnameGenerator, MeshPassthrough, Mesh, Dataplane, ZoneEgress, MeshTrafficPermission, "
                        + "MeshTimeout, Secret");
    }

    @Test
    void aDocumentWithoutTypeOrKind() {
        assertThat(errors("""
                name: nothing
                spec: {}
                """)).containsExactly(
                "c.yaml:1: -/nothing: -: missing \"type\" (Universal form) or \"apiVersion\" and \"kind\" (Kubernetes form)");
    }

    @Test
    void aDocumentThatIsNotAMap() {
        assertThat(errors("""
                - just
                - a list
                """)).containsExactly("c.yaml:1: -: -: a document must be a map (a Kuma resource)");
    }

    @Test
    void unknownFieldSuggestsTheClosestName() {
        assertThat(errors("""
                type: MeshExternalService
                name: mes
                spec:
                  match:
                    port: 80
                    prot: tcp
                  endpoints:
                    - adress: 127.0.0.1
                      port: 8080
                  tsl:
                    enabled: true
                  whatever: 1
                """)).containsExactly(
                "c.yaml:6: MeshExternalService/mes: spec.match.prot: unknown field \"prot\"; did you mean \"protocol\"?",
                "c.yaml:8: MeshExternalService/mes: spec.endpoints[0].adress: unknown field \"adress\"; did you mean \"address\"?",
                "c.yaml:8: MeshExternalService/mes: spec.endpoints[0].address: must be set",
                "c.yaml:10: MeshExternalService/mes: spec.tsl: unknown field \"tsl\"; did you mean \"tls\"?",
                "c.yaml:12: MeshExternalService/mes: spec.whatever: unknown field \"whatever\"");
    }

    @Test
    void unknownTopLevelFieldsInBothForms() {
        assertThat(errors("""
                type: Dataplane
                name: dp
                mesh: default
                netwrking:
                  address: 127.0.0.1
                """)).containsExactly(
                "c.yaml:1: Dataplane/dp: networking: must be set",
                "c.yaml:4: Dataplane/dp: netwrking: unknown field \"netwrking\"; did you mean \"networking\"?");
    }

    @Test
    void kubernetesMetadataAndApiVersionAreChecked() {
        assertThat(errors("""
                apiVersion: kuma.io/v1beta1
                kind: MeshExternalService
                metadata:
                  name: mes
                  lables:
                    a: b
                spec:
                  match:
                    port: 80
                  endpoints:
                    - address: 127.0.0.1
                      port: 8080
                """)).containsExactly(
                "c.yaml:1: MeshExternalService/mes: apiVersion: must be kuma.io/v1alpha1 for kind MeshExternalService, got \"kuma.io/v1beta1\"",
                "c.yaml:5: MeshExternalService/mes: metadata.lables: unknown field \"lables\"; did you mean \"labels\"?");
    }

    @Test
    void kubernetesSecretMustBeAKumaSecret() {
        assertThat(errors("""
                apiVersion: v1
                kind: Secret
                metadata:
                  name: s
                type: Opaque
                data:
                  value: aGVsbG8=
                """)).containsExactly(
                "c.yaml:5: Secret/s: type: must be system.kuma.io/secret, got \"Opaque\"");
    }

    @Test
    void missingName() {
        assertThat(errors("""
                type: Secret
                data: aGVsbG8=
                ---
                apiVersion: kuma.io/v1alpha1
                kind: Mesh
                metadata: {}
                """)).containsExactly(
                "c.yaml:1: Secret/-: name: must be set",
                "c.yaml:6: Mesh/-: metadata.name: must be set");
    }

    @Test
    void wrongTypes() {
        assertThat(errors("""
                type: MeshExternalService
                name: mes
                labels: [a, b]
                spec:
                  match:
                    port: eighty
                    protocol: [tcp]
                  endpoints:
                    address: 127.0.0.1
                  tls:
                    enabled: "yes please"
                    version: TLS13
                """)).containsExactly(
                "c.yaml:3: MeshExternalService/mes: labels: must be a map",
                "c.yaml:6: MeshExternalService/mes: spec.match.port: must be an integer",
                "c.yaml:7: MeshExternalService/mes: spec.match.protocol: must be a string",
                "c.yaml:8: MeshExternalService/mes: spec.endpoints: must be a list",
                "c.yaml:11: MeshExternalService/mes: spec.tls.enabled: must be a boolean",
                "c.yaml:12: MeshExternalService/mes: spec.tls.version: must be a map");
    }

    @Test
    void aQuotedNumberIsNotAnInteger() {
        assertThat(errors("""
                type: ZoneEgress
                name: ze
                networking:
                  address: 127.0.0.1
                  port: "10002"
                """)).containsExactly("c.yaml:5: ZoneEgress/ze: networking.port: must be an integer");
    }

    @Test
    void duplicateFieldsInOneMap() {
        assertThat(errors("""
                type: Secret
                name: s
                data: aGVsbG8=
                data: d29ybGQ=
                """)).containsExactly("c.yaml:4: Secret/s: data: duplicate field \"data\"");
    }

    @Test
    void missingSpec() {
        assertThat(errors("""
                type: MeshExternalService
                name: mes
                """)).containsExactly("c.yaml:1: MeshExternalService/mes: spec: must be set");
    }

    @Test
    void errorsComeSortedByFileAndLineAcrossFiles() {
        write("b.yaml", "type: Secret\nname: b\ndata: '!'\n");
        write("a.yaml", "type: Secret\nname: a\n\n\ndata: '!'\n");
        LoadResult r = ConfigLoader.load(java.util.List.of(dir));
        assertThat(relative(r)).containsExactly(
                "a.yaml:5: Secret/a: data: must be valid base64",
                "b.yaml:3: Secret/b: data: must be valid base64");
    }

    @Test
    void kubernetesDataplaneMeshFieldMustAgreeWithTheLabel() {
        assertThat(errors("""
                apiVersion: kuma.io/v1alpha1
                kind: Dataplane
                mesh: one
                metadata:
                  name: dp
                  labels:
                    kuma.io/mesh: two
                spec:
                  networking:
                    address: 127.0.0.1
                """)).containsExactly(
                "c.yaml:3: Dataplane/dp: mesh: \"one\" differs from label kuma.io/mesh \"two\"");
    }
}
