package io.sallyport.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.core.config.MeshExternalService.SanMatch;
import io.sallyport.core.config.MeshExternalService.SanMatchType;
import io.sallyport.core.config.MeshExternalService.TlsVersion;
import io.sallyport.core.config.MeshExternalService.VerificationMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest extends ConfigFixture {

    private static final String CA_B64 = Base64.getEncoder().encodeToString(
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII));

    @Test
    void readsUniversalMeshExternalServiceWithEveryTlsField() {
        MeshExternalService mes = single("""
                type: MeshExternalService
                name: mes-mtls
                mesh: default
                labels:
                  team: payments
                spec:
                  match:
                    type: HostnameGenerator
                    port: 443
                    protocol: http2
                  endpoints:
                    - address: 127.0.0.1
                      port: 18443
                    - address: backup.example.com
                      port: 443
                      priority: 1
                  tls:
                    enabled: true
                    allowRenegotiation: true
                    version:
                      min: TLS12
                      max: TLS13
                    verification:
                      mode: SkipSAN
                      serverName: api.example.com
                      subjectAltNames:
                        - type: Exact
                          value: api.example.com
                        - type: Prefix
                          value: spiffe://example/
                        - value: plain.example.com
                      caCert:
                        inline: %s
                      clientCert:
                        inlineString: |
                          -----BEGIN CERTIFICATE-----
                          MIIB
                          -----END CERTIFICATE-----
                      clientKey:
                        file: /etc/keys/client.key
                """.formatted(CA_B64), MeshExternalService.class);

        assertThat(mes.name()).isEqualTo("mes-mtls");
        assertThat(mes.meta().mesh()).isEqualTo("default");
        assertThat(mes.meta().labels()).containsEntry("team", "payments").containsEntry("kuma.io/origin", "zone");
        assertThat(mes.match()).isEqualTo(new MeshExternalService.Match("HostnameGenerator", 443, Protocol.HTTP2));
        assertThat(mes.endpoints()).containsExactly(
                new MeshExternalService.Endpoint("127.0.0.1", 18443, 0),
                new MeshExternalService.Endpoint("backup.example.com", 443, 1));
        MeshExternalService.Tls tls = mes.tls();
        assertThat(tls.enabled()).isTrue();
        assertThat(tls.allowRenegotiation()).isTrue();
        assertThat(tls.version()).isEqualTo(new MeshExternalService.Version(TlsVersion.TLS12, TlsVersion.TLS13));
        MeshExternalService.Verification v = tls.verification();
        assertThat(v.mode()).isEqualTo(VerificationMode.SkipSAN);
        assertThat(v.serverName()).isEqualTo("api.example.com");
        assertThat(v.subjectAltNames()).containsExactly(
                new SanMatch(SanMatchType.Exact, "api.example.com"),
                new SanMatch(SanMatchType.Prefix, "spiffe://example/"),
                new SanMatch(SanMatchType.Exact, "plain.example.com"));
        assertThat(v.caCert()).isEqualTo(new DataSource.Inline(Base64.getDecoder().decode(CA_B64)));
        assertThat(v.clientCert()).isEqualTo(new DataSource.InlineString(
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"));
        assertThat(v.clientKey()).isEqualTo(new DataSource.FileRef("/etc/keys/client.key"));
    }

    @Test
    void recordsTheLineOfEveryField() {
        MeshExternalService mes = single("""
                type: MeshExternalService
                name: lines
                spec:
                  match:
                    port: 80
                    protocol: http
                  endpoints:
                    - address: 127.0.0.1
                      port: 8080
                """, MeshExternalService.class);
        Origin o = mes.meta().origin();
        assertThat(o.line()).isEqualTo(1);
        assertThat(o.fieldLines()).containsEntry("type", 1).containsEntry("spec", 3).containsEntry("spec.match", 4)
                .containsEntry("spec.match.port", 5).containsEntry("spec.match.protocol", 6)
                .containsEntry("spec.endpoints[0]", 8).containsEntry("spec.endpoints[0].address", 8)
                .containsEntry("spec.endpoints[0].port", 9);
        assertThat(o.lineOf("spec.endpoints[0].priority")).isEqualTo(8);
    }

    @Test
    void defaultsOfAMinimalMeshExternalService() {
        MeshExternalService mes = single("""
                type: MeshExternalService
                name: minimal
                spec:
                  match:
                    port: 9000
                  endpoints:
                    - address: unix:///tmp/minimal.sock
                """, MeshExternalService.class);
        assertThat(mes.meta().mesh()).isEqualTo("default");
        assertThat(mes.match()).isEqualTo(new MeshExternalService.Match("HostnameGenerator", 9000, Protocol.TCP));
        assertThat(mes.endpoints()).containsExactly(new MeshExternalService.Endpoint("unix:///tmp/minimal.sock", null, 0));
        assertThat(mes.endpoints().get(0).isUnixSocket()).isTrue();
        assertThat(mes.tls()).isNull();
        assertThat(mes.statusVip()).isNull();
    }

    @Test
    void readsStatusVip() {
        MeshExternalService mes = single("""
                type: MeshExternalService
                name: with-vip
                spec:
                  match:
                    port: 9000
                  endpoints:
                    - address: 127.0.0.1
                      port: 9001
                status:
                  vip:
                    ip: 242.0.0.7
                  addresses:
                    - hostname: with-vip.svc.meshext.local
                """, MeshExternalService.class);
        assertThat(mes.statusVip()).isEqualTo("242.0.0.7");
    }

    @Test
    void readsKubernetesMeshExternalServiceWithMeshFromLabel() {
        MeshExternalService mes = single("""
                apiVersion: kuma.io/v1alpha1
                kind: MeshExternalService
                metadata:
                  name: mes-k8s
                  namespace: kuma-system
                  labels:
                    kuma.io/mesh: payments
                    kuma.io/origin: global
                  annotations:
                    note: kept
                spec:
                  match:
                    type: HostnameGenerator
                    port: 4242
                    protocol: tcp
                  endpoints:
                    - address: 127.0.0.1
                      port: 14242
                """, MeshExternalService.class);
        assertThat(mes.meta().kind()).isEqualTo("MeshExternalService");
        assertThat(mes.name()).isEqualTo("mes-k8s");
        assertThat(mes.meta().namespace()).isEqualTo("kuma-system");
        assertThat(mes.meta().mesh()).isEqualTo("payments");
        assertThat(mes.meta().labels()).containsEntry("kuma.io/origin", "global");
        assertThat(mes.meta().origin().fieldLines()).containsEntry("spec.match.port", 14);
    }

    @Test
    void kubernetesMeshDefaultsToDefaultWithoutTheLabel() {
        MeshExternalService mes = single("""
                apiVersion: kuma.io/v1alpha1
                kind: MeshExternalService
                metadata:
                  name: nolabel
                spec:
                  match:
                    port: 4242
                  endpoints:
                    - address: 127.0.0.1
                      port: 14242
                """, MeshExternalService.class);
        assertThat(mes.meta().mesh()).isEqualTo("default");
        assertThat(mes.meta().labels()).containsEntry("kuma.io/origin", "zone");
    }

    @Test
    void readsUniversalAndKubernetesMesh() {
        Mesh universal = single("""
                type: Mesh
                name: default
                mtls:
                  enabledBackend: ca-1
                  backends:
                    - name: ca-1
                      type: builtin
                      dpCert:
                        rotation:
                          expiration: 1d
                      conf:
                        caCert:
                          RSAbits: 2048
                routing:
                  zoneEgress: true
                  defaultForbidMeshExternalServiceAccess: true
                networking:
                  outbound:
                    passthrough: false
                metrics:
                  enabledBackend: prometheus-1
                meshServices:
                  mode: Exclusive
                skipCreatingInitialPolicies: ["*"]
                """, Mesh.class);
        assertThat(universal).isEqualTo(new Mesh(universal.meta(), true, true, "ca-1"));
        assertThat(universal.meta().mesh()).isEqualTo("default");
        assertThat(universal.mtlsEnabled()).isTrue();

        Mesh k8s = single("""
                apiVersion: kuma.io/v1alpha1
                kind: Mesh
                metadata:
                  name: other
                spec:
                  routing:
                    zoneEgress: false
                """, Mesh.class);
        assertThat(k8s).isEqualTo(new Mesh(k8s.meta(), false, false, null));
        assertThat(k8s.meta().mesh()).isEqualTo("other");
        assertThat(k8s.mtlsEnabled()).isFalse();
    }

    @Test
    void readsUniversalDataplane() {
        Dataplane dp = single("""
                type: Dataplane
                mesh: default
                name: web-01
                networking:
                  address: 127.0.0.1
                  inbound:
                    - port: 8080
                      servicePort: 18080
                      tags:
                        kuma.io/service: web
                        kuma.io/protocol: http
                  outbound:
                    - port: 10080
                      backendRef:
                        kind: MeshExternalService
                        name: httpbin
                    - address: 127.0.0.2
                      port: 10080
                      backendRef:
                        kind: MeshExternalService
                        name: httpbin
                        port: 80
                  admin:
                    port: 9902
                  transparentProxying:
                    redirectPortInbound: 15006
                    redirectPortOutbound: 15011
                ---
                type: MeshExternalService
                name: httpbin
                spec:
                  match:
                    port: 80
                    protocol: http
                  endpoints:
                    - address: 127.0.0.1
                      port: 18081
                """, Dataplane.class);
        assertThat(dp.address()).isEqualTo("127.0.0.1");
        assertThat(dp.outbounds()).containsExactly(
                new Dataplane.Outbound("127.0.0.1", 10080, new Dataplane.BackendRef("MeshExternalService", "httpbin", null)),
                new Dataplane.Outbound("127.0.0.2", 10080, new Dataplane.BackendRef("MeshExternalService", "httpbin", 80)));
        assertThat(dp.adminPort()).isEqualTo(9902);
        assertThat(dp.transparentProxying()).isEqualTo(new Dataplane.TransparentProxying(15011));
        assertThat(dp.inbounds()).containsExactly(
                new Dataplane.Inbound(8080, Map.of("kuma.io/service", "web", "kuma.io/protocol", "http")));
        assertThat(dp.serviceName()).isEqualTo("web");
    }

    @Test
    void readsKubernetesDataplaneAndDefaultRedirectPort() {
        Dataplane dp = single("""
                apiVersion: kuma.io/v1alpha1
                kind: Dataplane
                mesh: demo
                metadata:
                  name: app-1
                spec:
                  networking:
                    address: 10.0.0.5
                    transparentProxying: {}
                """, Dataplane.class);
        assertThat(dp.meta().mesh()).isEqualTo("demo");
        assertThat(dp.transparentProxying().redirectPortOutbound()).isEqualTo(15001);
        assertThat(dp.adminPort()).isNull();
        assertThat(dp.serviceName()).isEqualTo("app-1");
    }

    @Test
    void readsZoneEgressInBothForms() {
        ZoneEgress u = single("""
                type: ZoneEgress
                name: egress-1
                zone: zone-1
                networking:
                  address: 127.0.0.1
                  port: 10002
                  admin:
                    port: 9903
                """, ZoneEgress.class);
        assertThat(u).isEqualTo(new ZoneEgress(u.meta(), "127.0.0.1", 10002, 9903));
        ZoneEgress k = single("""
                apiVersion: kuma.io/v1alpha1
                kind: ZoneEgress
                metadata:
                  name: egress-k8s
                spec:
                  networking:
                    address: 127.0.0.1
                    port: 10003
                """, ZoneEgress.class);
        assertThat(k).isEqualTo(new ZoneEgress(k.meta(), "127.0.0.1", 10003, null));
    }

    @Test
    void readsSecretsInBothForms() {
        LoadResult r = load("""
                type: Secret
                name: sec-u
                mesh: default
                data: aGVsbG8=
                ---
                apiVersion: v1
                kind: Secret
                metadata:
                  name: sec-k
                  namespace: kuma-system
                  labels:
                    kuma.io/mesh: default
                type: system.kuma.io/secret
                data:
                  value: d29ybGQ=
                """);
        assertThat(relative(r)).isEmpty();
        List<Secret> secrets = r.config().all(Secret.class);
        assertThat(secrets).extracting(Secret::name).containsExactly("sec-u", "sec-k");
        assertThat(new String(secrets.get(0).data(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(new String(secrets.get(1).data(), StandardCharsets.UTF_8)).isEqualTo("world");
    }

    @Test
    void readsHostnameGeneratorSelectors() {
        LoadResult r = load("""
                type: HostnameGenerator
                name: mes-hg
                spec:
                  template: "{{ .DisplayName }}.svc.meshext.local"
                  selector:
                    meshExternalService:
                      matchLabels:
                        kuma.io/origin: zone
                ---
                apiVersion: kuma.io/v1alpha1
                kind: HostnameGenerator
                metadata:
                  name: ms-only
                  namespace: kuma-system
                spec:
                  template: "{{ .DisplayName }}.mesh"
                  selector:
                    meshService:
                      matchLabels:
                        kuma.io/origin: zone
                ---
                type: HostnameGenerator
                name: by-name
                spec:
                  template: "{{ .Name }}.example"
                  selector:
                    meshExternalService:
                      matchName: one
                """);
        assertThat(relative(r)).isEmpty();
        List<HostnameGenerator> hgs = r.config().all(HostnameGenerator.class);
        assertThat(hgs.get(0).template()).isEqualTo("{{ .DisplayName }}.svc.meshext.local");
        assertThat(hgs.get(0).selects(Map.of("kuma.io/origin", "zone"))).isTrue();
        assertThat(hgs.get(0).selects(Map.of("kuma.io/origin", "global"))).isFalse();
        assertThat(hgs.get(1).selects(Map.of("kuma.io/origin", "zone"))).isFalse();
        ResourceMeta one = new ResourceMeta("MeshExternalService", "one", null, null, Map.of(), Origin.synthetic("t"));
        ResourceMeta two = new ResourceMeta("MeshExternalService", "two", null, null, Map.of(), Origin.synthetic("t"));
        assertThat(hgs.get(2).selects(one)).isTrue();
        assertThat(hgs.get(2).selects(two)).isFalse();
    }

    @Test
    void readsMeshPassthrough() {
        MeshPassthrough mp = single("""
                type: MeshPassthrough
                name: allow-some
                mesh: default
                spec:
                  targetRef:
                    kind: Mesh
                  default:
                    passthroughMode: Matched
                    appendMatch:
                      - type: Domain
                        value: httpbin.org
                        protocol: tls
                        port: 443
                      - type: IP
                        value: 10.240.15.39
                        port: 8888
                      - type: CIDR
                        value: 10.250.0.0/16
                        protocol: tcp
                        port: 10000
                      - type: Domain
                        value: "*.wikipedia.org"
                        protocol: tls
                """, MeshPassthrough.class);
        assertThat(mp.passthroughMode()).isEqualTo(MeshPassthrough.Mode.Matched);
        assertThat(mp.appendMatch()).containsExactly(
                new MeshPassthrough.AppendMatch(MeshPassthrough.MatchType.Domain, "httpbin.org", 443, Protocol.TLS),
                new MeshPassthrough.AppendMatch(MeshPassthrough.MatchType.IP, "10.240.15.39", 8888, Protocol.TCP),
                new MeshPassthrough.AppendMatch(MeshPassthrough.MatchType.CIDR, "10.250.0.0/16", 10000, Protocol.TCP),
                new MeshPassthrough.AppendMatch(MeshPassthrough.MatchType.Domain, "*.wikipedia.org", null, Protocol.TLS));
    }

    @Test
    void passthroughModeDefaultsToNone() {
        MeshPassthrough mp = single("""
                type: MeshPassthrough
                name: empty
                spec:
                  targetRef:
                    kind: Mesh
                """, MeshPassthrough.class);
        assertThat(mp.passthroughMode()).isEqualTo(MeshPassthrough.Mode.None);
        assertThat(mp.appendMatch()).isEmpty();
    }

    @Test
    void readsMeshTrafficPermissionFromAndRules() {
        MeshTrafficPermission mtp = single("""
                type: MeshTrafficPermission
                name: allow-web
                mesh: default
                spec:
                  targetRef:
                    kind: MeshExternalService
                    name: httpbin
                  from:
                    - targetRef:
                        kind: MeshSubset
                        tags:
                          kuma.io/service: web
                      default:
                        action: Allow
                  rules:
                    - default:
                        allow:
                          - spiffeID:
                              type: Prefix
                              value: spiffe://default/
                        deny:
                          - spiffeID:
                              type: Exact
                              value: spiffe://default/bad
                        allowWithShadowDeny:
                          - spiffeID:
                              type: Exact
                              value: spiffe://default/shadow
                """, MeshTrafficPermission.class);
        assertThat(mtp.targetRef()).isEqualTo(new MeshTrafficPermission.TargetRef("MeshExternalService", "httpbin", Map.of()));
        assertThat(mtp.from()).containsExactly(new MeshTrafficPermission.From(
                new MeshTrafficPermission.TargetRef("MeshSubset", null, Map.of("kuma.io/service", "web")),
                MeshTrafficPermission.Action.Allow));
        MeshTrafficPermission.Rule rule = mtp.rules().get(0);
        assertThat(rule.allow()).extracting(MeshTrafficPermission.SpiffeIdMatch::value)
                .containsExactly("spiffe://default/", "spiffe://default/shadow");
        assertThat(rule.deny()).containsExactly(new MeshTrafficPermission.SpiffeIdMatch(
                MeshTrafficPermission.MatchType.Exact, "spiffe://default/bad"));
        assertThat(mtp.targetRef().refersTo("MeshExternalService", "httpbin", Map.of())).isTrue();
        assertThat(mtp.targetRef().refersTo("MeshExternalService", "other", Map.of())).isFalse();
    }

    @Test
    void meshTrafficPermissionWithoutTargetRefTargetsTheMesh() {
        MeshTrafficPermission mtp = single("""
                apiVersion: kuma.io/v1alpha1
                kind: MeshTrafficPermission
                metadata:
                  name: rules-only
                  labels:
                    kuma.io/mesh: default
                spec:
                  rules:
                    - default:
                        allow:
                          - spiffeID:
                              type: Exact
                              value: spiffe://default/web
                """, MeshTrafficPermission.class);
        assertThat(mtp.targetRef().kind()).isEqualTo("Mesh");
    }

    @Test
    void readsMeshTimeoutDurations() {
        MeshTimeout mt = single("""
                type: MeshTimeout
                name: timeouts
                mesh: default
                spec:
                  targetRef:
                    kind: Mesh
                  to:
                    - targetRef:
                        kind: MeshExternalService
                        name: httpbin
                      default:
                        connectionTimeout: 2s
                        idleTimeout: 1h
                        http:
                          requestTimeout: 1m30s
                          streamIdleTimeout: 100ms
                          maxStreamDuration: 0s
                          maxConnectionDuration: 0s
                    - targetRef:
                        kind: Mesh
                      default:
                        idleTimeout: 30m
                """, MeshTimeout.class);
        MeshTimeout.Timeouts t = mt.to().get(0).timeouts();
        assertThat(t).isEqualTo(new MeshTimeout.Timeouts(Duration.ofSeconds(2), Duration.ofHours(1),
                Duration.ofSeconds(90), Duration.ofMillis(100), Duration.ZERO));
        assertThat(mt.to().get(1).targetRef().kind()).isEqualTo("Mesh");
        assertThat(mt.to().get(1).timeouts().over(MeshTimeout.Timeouts.KUMA_DEFAULTS)).isEqualTo(
                new MeshTimeout.Timeouts(Duration.ofSeconds(5), Duration.ofMinutes(30), Duration.ofSeconds(15),
                        Duration.ofMinutes(30), Duration.ZERO));
    }

    @Test
    void universalLabelsKeepAnExplicitOrigin() {
        MeshExternalService mes = single("""
                type: MeshExternalService
                name: global-one
                labels:
                  kuma.io/origin: global
                  kuma.io/display-name: shown
                spec:
                  match:
                    port: 1
                  endpoints:
                    - address: 127.0.0.1
                      port: 2
                """, MeshExternalService.class);
        assertThat(mes.meta().labels()).containsEntry("kuma.io/origin", "global");
        assertThat(mes.meta().displayName()).isEqualTo("shown");
    }

    @Test
    void multiDocumentFilesKeepEveryDocumentAndItsLine() {
        LoadResult r = load("""
                ---
                type: Secret
                name: one
                data: aGVsbG8=
                ---
                # a comment-only document is skipped
                ---
                type: Secret
                name: two
                data: aGVsbG8=
                ---
                type: Secret
                name: three
                data: aGVsbG8=
                """);
        assertThat(relative(r)).isEmpty();
        assertThat(r.config().resources()).extracting(Resource::name).containsExactly("one", "two", "three");
        assertThat(r.config().resources()).extracting(res -> res.meta().origin().line()).containsExactly(2, 8, 12);
    }

    @Test
    void directoriesLoadYamlFilesSortedByName() throws Exception {
        write("conf/b.yaml", "type: Secret\nname: from-b\ndata: aGVsbG8=\n");
        write("conf/a.yml", "type: Secret\nname: from-a\ndata: aGVsbG8=\n");
        write("conf/c.yaml", "type: Secret\nname: from-c\ndata: aGVsbG8=\n");
        write("conf/notes.txt", "type: Nonsense\n");
        Files.createDirectories(dir.resolve("conf/sub.yaml"));
        write("conf/sub/d.yaml", "type: Secret\nname: nested\ndata: aGVsbG8=\n");
        Path single = write("extra.yaml", "type: Secret\nname: from-file\ndata: aGVsbG8=\n");

        LoadResult r = ConfigLoader.load(List.of(dir.resolve("conf"), single));
        assertThat(relative(r)).isEmpty();
        assertThat(r.config().resources()).extracting(Resource::name)
                .containsExactly("from-a", "from-b", "from-c", "from-file");
        assertThat(ConfigLoader.files(List.of(dir.resolve("conf")))).extracting(p -> p.getFileName().toString())
                .containsExactly("a.yml", "b.yaml", "c.yaml");
        assertThat(r.config().resources().get(0).meta().origin().file()).isEqualTo(dir.resolve("conf/a.yml").toString());
    }

    @Test
    void aMissingPathIsAnError() {
        LoadResult r = ConfigLoader.load(List.of(dir.resolve("nope.yaml")));
        assertThat(relative(r)).containsExactly("nope.yaml:0: -: -: no such file or directory");
        assertThat(r.ok()).isFalse();
    }

    @Test
    void aResourceWithErrorsIsLeftOutAndOthersStay() {
        LoadResult r = load("""
                type: Secret
                name: good
                data: aGVsbG8=
                ---
                type: Secret
                name: bad
                data: "not base64!"
                """);
        assertThat(relative(r)).containsExactly("c.yaml:7: Secret/bad: data: must be valid base64");
        assertThat(r.config().resources()).extracting(Resource::name).containsExactly("good");
        assertThat(r.ok()).isFalse();
    }

    @Test
    void yamlAnchorsAndMergeKeysWorkInsideADocument() {
        MeshExternalService mes = single("""
                type: MeshExternalService
                name: anchors
                spec:
                  match:
                    port: 9000
                  endpoints:
                    - &primary
                      address: 127.0.0.1
                      port: 9001
                    - <<: *primary
                      port: 9002
                      priority: 1
                """, MeshExternalService.class);
        assertThat(mes.endpoints()).containsExactly(
                new MeshExternalService.Endpoint("127.0.0.1", 9001, 0),
                new MeshExternalService.Endpoint("127.0.0.1", 9002, 1));
    }
}
