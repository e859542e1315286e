package io.sallyport.testing;

import io.sallyport.core.config.Dataplane;
import io.sallyport.core.config.HostnameGenerator;
import io.sallyport.core.config.Mesh;
import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.config.MeshTimeout;
import io.sallyport.core.config.MeshTrafficPermission;
import io.sallyport.core.config.Origin;
import io.sallyport.core.config.Protocol;
import io.sallyport.core.config.ResourceMeta;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Builds config records in code (with a synthetic origin) for tests that do not read YAML. */
public final class TestResources {

    private TestResources() {
    }

    public static ResourceMeta meta(String kind, String name) {
        return new ResourceMeta(kind, name, null, null, Map.of(ResourceMeta.LABEL_ORIGIN, "zone"),
                Origin.synthetic("test:" + kind + "/" + name));
    }

    /** A plain TCP MeshExternalService. */
    public static MeshExternalService mes(String name, int matchPort, MeshExternalService.Endpoint... endpoints) {
        return mesWithVip(name, matchPort, null, endpoints);
    }

    /** A plain TCP MeshExternalService with {@code status.vip.ip}. */
    public static MeshExternalService mesWithVip(String name, int matchPort, String vip,
                                                 MeshExternalService.Endpoint... endpoints) {
        return new MeshExternalService(meta("MeshExternalService", name),
                new MeshExternalService.Match("HostnameGenerator", matchPort, Protocol.TCP), List.of(endpoints),
                null, vip);
    }

    public static MeshExternalService.Endpoint endpoint(String address, Integer port, int priority) {
        return new MeshExternalService.Endpoint(address, port, priority);
    }

    public static MeshExternalService.Endpoint endpoint(String address, Integer port) {
        return endpoint(address, port, 0);
    }

    /** An outbound of a Dataplane to a MeshExternalService. */
    public static Dataplane.Outbound outbound(String address, int port, String mes) {
        return new Dataplane.Outbound(address, port, new Dataplane.BackendRef("MeshExternalService", mes, null));
    }

    public static Dataplane dataplane(Dataplane.Outbound... outbounds) {
        return new Dataplane(meta("Dataplane", "app"), "127.0.0.1", List.of(outbounds), null, null, List.of());
    }

    public static Mesh mesh(boolean forbidMeshExternalServiceAccess) {
        return new Mesh(meta("Mesh", ResourceMeta.DEFAULT_MESH), forbidMeshExternalServiceAccess, false, null);
    }

    /** A HostnameGenerator selecting every MeshExternalService. */
    public static HostnameGenerator hostnameGenerator(String name, String template) {
        return new HostnameGenerator(meta("HostnameGenerator", name), template, Map.of());
    }

    /** A MeshTimeout giving {@code mes} a connection timeout. */
    public static MeshTimeout connectTimeout(String mes, Duration timeout) {
        return new MeshTimeout(meta("MeshTimeout", "timeout-" + mes), List.of(new MeshTimeout.To(
                new MeshTrafficPermission.TargetRef("MeshExternalService", mes, Map.of()),
                new MeshTimeout.Timeouts(timeout, null, null, null, null))));
    }
}
