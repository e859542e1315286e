package io.sallyport.core.runtime;

import static io.sallyport.testing.TestResources.meta;
import static org.assertj.core.api.Assertions.assertThat;

import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.Dataplane;
import io.sallyport.core.config.MeshPassthrough;
import io.sallyport.core.config.MeshPassthrough.AppendMatch;
import io.sallyport.core.config.MeshPassthrough.MatchType;
import io.sallyport.core.config.Origin;
import io.sallyport.core.config.Protocol;
import io.sallyport.core.config.ResourceMeta;
import io.sallyport.core.config.Resource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The transparent listener and its merged MeshPassthrough in the compiled snapshot. */
class TransparentSpecCompileTest {

    private static Snapshot compile(Resource... resources) {
        SnapshotCompiler.Result r = SnapshotCompiler.compile(new ConfigSet(List.of(resources)), RuntimeOptions.defaults(), 1);
        assertThat(r.errors()).isEmpty();
        return r.snapshot();
    }

    private static Dataplane dataplane(Dataplane.TransparentProxying tp) {
        return new Dataplane(meta("Dataplane", "app"), "127.0.0.1", List.of(), null, tp, List.of());
    }

    @Test
    void noTransparentProxyingNoTransparentListener() {
        assertThat(compile(dataplane(null)).transparent()).isNull();
    }

    @Test
    void bindsTheRedirectPortOnAllIpv4AddressesWithKumasDefaultModeNone() {
        TransparentSpec spec = compile(dataplane(new Dataplane.TransparentProxying(
                Dataplane.TransparentProxying.DEFAULT_REDIRECT_PORT_OUTBOUND))).transparent();
        assertThat(spec.address().getPort()).isEqualTo(15001);
        assertThat(spec.address().getAddress().getHostAddress()).isEqualTo("0.0.0.0");
        assertThat(spec.name()).isEqualTo("outbound:passthrough:ipv4");
        assertThat(spec.statsAddress()).isEqualTo("0.0.0.0_15001");
        assertThat(spec.passthrough()).isEqualTo(PassthroughSpec.NONE);
    }

    @Test
    void mergesTheMeshPassthroughDocumentsOfTheDataplanesMeshOnly() {
        AppendMatch a = new AppendMatch(MatchType.Domain, "a.test", 443, Protocol.TLS);
        AppendMatch b = new AppendMatch(MatchType.CIDR, "10.0.0.0/8", null, Protocol.TCP);
        AppendMatch other = new AppendMatch(MatchType.IP, "192.0.2.1", 80, Protocol.TCP);
        ResourceMeta otherMesh = new ResourceMeta("MeshPassthrough", "z-other", "other", null, Map.of(),
                Origin.synthetic("test"));
        TransparentSpec spec = compile(
                dataplane(new Dataplane.TransparentProxying(15001)),
                new MeshPassthrough(meta("MeshPassthrough", "b"), MeshPassthrough.Mode.Matched, List.of(b, a)),
                new MeshPassthrough(meta("MeshPassthrough", "a"), MeshPassthrough.Mode.All, List.of(a)),
                new MeshPassthrough(otherMesh, MeshPassthrough.Mode.All, List.of(other))).transparent();
        assertThat(spec.mesh()).isEqualTo("default");
        assertThat(spec.passthrough().mode()).isEqualTo(MeshPassthrough.Mode.Matched);
        assertThat(spec.passthrough().matches()).containsExactly(a, b);
    }
}
