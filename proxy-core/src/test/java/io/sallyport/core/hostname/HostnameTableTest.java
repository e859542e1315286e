package io.sallyport.core.hostname;

import static io.sallyport.core.hostname.Fixtures.generator;
import static io.sallyport.core.hostname.Fixtures.mes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.HostnameGenerator;
import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.config.Resource;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostnameTableTest {

    private static final HostnameGenerator DOCS_GENERATOR =
            generator("example", "{{ .DisplayName }}.svc.meshext.local", Map.of("kuma.io/origin", "zone"));

    private static HostnameTable.Result compile(String cidr, Resource... resources) {
        return HostnameTable.compile(new ConfigSet(List.of(resources)), cidr);
    }

    private static HostnameTable ok(String cidr, Resource... resources) {
        HostnameTable.Result r = compile(cidr, resources);
        assertThat(r.errors()).isEmpty();
        return r.table();
    }

    @Test
    void docsExampleGivesHostnameAndVipInsideTheCidr() throws Exception {
        HostnameTable t = ok("242.0.0.0/8", DOCS_GENERATOR, mes("mes-tcp", Map.of()));
        InetAddress vip = t.vipOf("mes-tcp");
        assertThat(vip).isNotNull();
        assertThat(vip.getAddress()[0] & 0xff).isEqualTo(242);
        assertThat(t.hostnamesOf("mes-tcp")).containsExactly("mes-tcp.svc.meshext.local");
        assertThat(t.lookup("mes-tcp.svc.meshext.local")).isEqualTo(vip);
        assertThat(t.lookup("MES-TCP.svc.MeshExt.local.")).isEqualTo(vip);
        assertThat(t.lookup("mes-tcp.svc.meshext.local.")).isEqualTo(vip);
        assertThat(t.lookup("other.svc.meshext.local")).isNull();
        assertThat(t.vipServices()).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("mes-tcp");
            assertThat(s.vip()).isEqualTo(vip);
            assertThat(s.port()).isEqualTo(4242);
        });
    }

    @Test
    void selectorDecidesWhichServicesGetHostnames() {
        HostnameGenerator team = generator("team", "{{ .Name }}.team.local", Map.of("team", "a"));
        HostnameTable t = ok("10.0.0.0/24", team, mes("x", Map.of("team", "a")), mes("y", Map.of("team", "b")));
        assertThat(t.hostnamesOf("x")).containsExactly("x.team.local");
        assertThat(t.hostnamesOf("y")).isEmpty();
        assertThat(t.vipOf("y")).isNull();
        assertThat(t.vipServices()).extracting(HostnameTable.VipService::name).containsExactly("x");
    }

    @Test
    void severalGeneratorsGiveSeveralHostnamesForOneVip() {
        HostnameTable t = ok("10.0.0.0/24", DOCS_GENERATOR,
                generator("short", "{{ .Name }}.ext", Map.of()), mes("api", Map.of()));
        assertThat(t.hostnamesOf("api")).containsExactly("api.svc.meshext.local", "api.ext");
        assertThat(t.lookup("api.ext")).isEqualTo(t.vipOf("api")).isEqualTo(t.lookup("api.svc.meshext.local"));
    }

    @Test
    void vipsAreDeterministicAndStableWhenOtherServicesComeAndGo() {
        List<Resource> base = new ArrayList<>(List.of(DOCS_GENERATOR));
        for (int i = 0; i < 50; i++) {
            base.add(mes("svc-" + i, Map.of()));
        }
        HostnameTable first = ok("242.0.0.0/8", base.toArray(Resource[]::new));
        HostnameTable again = ok("242.0.0.0/8", base.toArray(Resource[]::new));
        List<Resource> more = new ArrayList<>(base);
        more.add(2, mes("newcomer", Map.of()));
        more.remove(10);
        HostnameTable changed = ok("242.0.0.0/8", more.toArray(Resource[]::new));
        Map<InetAddress, String> seen = new HashMap<>();
        for (int i = 0; i < 50; i++) {
            String n = "svc-" + i;
            assertThat(again.vipOf(n)).isEqualTo(first.vipOf(n));
            assertThat(seen.put(first.vipOf(n), n)).as("VIPs are unique").isNull();
            if (!n.equals("svc-8")) { // index 9 in base (after the generator) is svc-8: removed
                assertThat(changed.vipOf(n)).as(n).isEqualTo(first.vipOf(n));
            }
        }
        assertThat(changed.vipOf("svc-8")).isNull();
        assertThat(changed.vipOf("newcomer")).isNotNull().isNotIn(seen.keySet());
    }

    @Test
    void collisionsInTheHashProbeToTheNextFreeAddressAndSkipNetworkAndBroadcast() throws Exception {
        List<Resource> rs = new ArrayList<>(List.of(DOCS_GENERATOR));
        for (int i = 0; i < 6; i++) {
            rs.add(mes("s" + i, Map.of()));
        }
        HostnameTable t = ok("10.9.8.0/29", rs.toArray(Resource[]::new));
        List<String> vips = t.vipServices().stream().map(s -> s.vip().getHostAddress()).sorted().toList();
        assertThat(vips).containsExactly("10.9.8.1", "10.9.8.2", "10.9.8.3", "10.9.8.4", "10.9.8.5", "10.9.8.6");
    }

    @Test
    void exhaustedCidrIsAnError() {
        HostnameTable.Result r = compile("10.9.8.0/30", DOCS_GENERATOR,
                mes("a", Map.of()), mes("b", Map.of()), mes("c", Map.of()));
        assertThat(r.errors()).hasSize(1);
        assertThat(r.errors().get(0).toString()).matches(
                "mes\\.yaml:1: MeshExternalService/[abc]: -: no free address left in VIP CIDR 10\\.9\\.8\\.0/30 "
                        + "\\(2 usable\\) for this service");
        assertThat(r.table().vipServices()).hasSize(2);
    }

    @Test
    void statusVipIsHonouredInsideAndOutsideTheCidrAndNeverHandedOutAgain() throws Exception {
        MeshExternalService inside = mes("inside", "default", "", Map.of("team", "a"), "10.9.8.1");
        MeshExternalService outside = mes("outside", "default", "", Map.of("team", "a"), "127.0.0.77");
        MeshExternalService plain = mes("plain", Map.of("team", "a"));
        MeshExternalService unselected = mes("unselected", "default", "", Map.of(), "127.0.0.78");
        HostnameGenerator gen = generator("g", "{{ .Name }}.ext", Map.of("team", "a"));
        HostnameTable t = ok("10.9.8.0/30", gen, inside, outside, plain, unselected);
        assertThat(t.vipOf("inside")).isEqualTo(InetAddress.getByName("10.9.8.1"));
        assertThat(t.vipOf("outside")).isEqualTo(InetAddress.getByName("127.0.0.77"));
        assertThat(t.vipOf("plain")).isEqualTo(InetAddress.getByName("10.9.8.2"));
        assertThat(t.lookup("outside.ext")).isEqualTo(InetAddress.getByName("127.0.0.77"));
        // An explicit status.vip.ip gives a VIP listener even without a generated hostname.
        assertThat(t.vipOf("unselected")).isEqualTo(InetAddress.getByName("127.0.0.78"));
        assertThat(t.hostnamesOf("unselected")).isEmpty();
    }

    @Test
    void statusVipMistakesAreReported() {
        HostnameTable.Result r = compile("10.0.0.0/8", DOCS_GENERATOR,
                mes("a", "default", "", Map.of(), "10.1.1.1"),
                mes("b", "default", "", Map.of(), "10.1.1.1"),
                mes("c", "default", "", Map.of(), "not-an-ip"));
        assertThat(r.errors()).extracting(Object::toString).containsExactly(
                "mes.yaml:20: MeshExternalService/b: status.vip.ip: VIP 10.1.1.1 is already the VIP of "
                        + "MeshExternalService/a",
                "mes.yaml:20: MeshExternalService/c: status.vip.ip: \"not-an-ip\" is not an IP address");
    }

    @Test
    void hostnameCollisionIsReportedOnTheSecondService() {
        HostnameTable.Result r = compile("10.0.0.0/8",
                generator("by-display", "{{ .DisplayName }}.ext", Map.of()),
                mes("first", Map.of("kuma.io/display-name", "same")),
                mes("second", Map.of("kuma.io/display-name", "same")));
        assertThat(r.errors()).extracting(Object::toString).containsExactly(
                "mes.yaml:2: MeshExternalService/second: name: hostname \"same.ext\" (from "
                        + "HostnameGenerator/by-display) is already generated for MeshExternalService/first");
        assertThat(r.table().lookup("same.ext")).isEqualTo(r.table().vipOf("first"));
        assertThat(r.table().vipOf("second")).isNull();
    }

    @Test
    void caseOnlyDifferencesCollideToo() {
        HostnameTable.Result r = compile("10.0.0.0/8", generator("g", "{{ .Name }}.ext", Map.of()),
                mes("Api", Map.of()), mes("api", Map.of()));
        assertThat(r.errors()).singleElement().asString().contains("MeshExternalService/api: name: hostname \"api.ext\"");
    }

    @Test
    void templateErrorsMissingLabelsAndInvalidNamesAreConfigErrors() {
        HostnameTable.Result r = compile("10.0.0.0/8",
                generator("broken", "{{ .Nme }}.ext", Map.of()),
                generator("by-team", "{{ label \"team\" }}.ext", Map.of("kind", "x")),
                generator("by-name", "{{ .Name }}.svc", Map.of("kind", "y")),
                mes("no-team", Map.of("kind", "x")),
                mes("bad_name", Map.of("kind", "y")));
        assertThat(r.errors()).extracting(Object::toString).containsExactly(
                "hg.yaml:17: HostnameGenerator/broken: spec.template: invalid template: unknown field \".Nme\" "
                        + "(known: .DisplayName, .Name, .Namespace, .Mesh, .Zone) at column 4",
                "mes.yaml:2: MeshExternalService/bad_name: name: HostnameGenerator/by-name: \"bad_name.svc\" is "
                        + "not a valid DNS name: label \"bad_name\" contains '_' (only a-z, 0-9 and '-' are allowed)",
                "mes.yaml:4: MeshExternalService/no-team: labels: HostnameGenerator/by-team: label \"team\" not found");
        assertThat(r.table().isEmpty()).isTrue();
    }

    @Test
    void ipv6Cidr() throws Exception {
        HostnameTable t = ok("fd00:5a11::/64", DOCS_GENERATOR, mes("a", Map.of()), mes("b", Map.of()));
        assertThat(t.vipOf("a").getAddress()).hasSize(16);
        assertThat(VipRange.parse("fd00:5a11::/64").contains(t.vipOf("a"))).isTrue();
        assertThat(t.vipOf("a")).isNotEqualTo(t.vipOf("b"));
    }

    @Test
    void badCidrsAreRejected() {
        assertThatThrownBy(() -> VipRange.parse("242.0.0.0")).hasMessageContaining("no prefix length");
        assertThatThrownBy(() -> VipRange.parse("242.0.0.1/8")).hasMessageContaining("host bits set");
        assertThatThrownBy(() -> VipRange.parse("242.0.0.0/33")).hasMessageContaining("prefix length must be 0-32");
        assertThatThrownBy(() -> VipRange.parse("nope/8")).hasMessageContaining("is not an IP address");
        assertThat(VipRange.parse("10.0.0.0/32").usableSize()).isEqualTo(1);
        assertThat(VipRange.parse("10.0.0.0/24").usableSize()).isEqualTo(254);
    }
}
