package io.sallyport.core.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@code Mesh}. Sallyport acts on {@code mtls.enabledBackend} and {@code routing}; the other
 * sections Kuma documents (tracing, logging, metrics, constraints, meshServices, ...) are accepted as
 * written and ignored.
 */
final class MeshReader implements KindReader {

    static final List<String> FIELDS = List.of(
            "mtls", "tracing", "logging", "metrics", "networking", "routing", "constraints", "meshServices",
            "skipCreatingInitialPolicies");

    @Override
    public Resource read(ResourceMeta meta, MapReader mesh, MapReader root) {
        int before = mesh.diagnostics().count();
        String enabledBackend = null;
        MapReader mtls = mesh.map("mtls");
        if (mtls != null) {
            mtls.allow("enabledBackend", "backends", "skipValidation");
            mtls.bool("skipValidation");
            List<String> names = new ArrayList<>();
            for (MapReader b : mtls.maps("backends")) {
                b.allow("name", "type", "dpCert", "conf", "mode", "rootChain");
                String name = b.requiredString("name");
                if (name != null) {
                    if (names.contains(name)) {
                        b.error("name", "duplicate backend name \"" + name + "\"");
                    }
                    names.add(name);
                }
                b.requiredString("type");
                b.oneOf("mode", List.of("STRICT", "PERMISSIVE"));
                b.map("dpCert");
                b.map("conf");
                b.map("rootChain");
            }
            enabledBackend = mtls.string("enabledBackend");
            if (enabledBackend != null && !enabledBackend.isEmpty() && !names.contains(enabledBackend)) {
                mtls.error("enabledBackend", "must name one of mtls.backends"
                        + (names.isEmpty() ? " (none defined)" : " (" + String.join(", ", names) + ")")
                        + ", got \"" + enabledBackend + "\"");
            }
        }
        boolean zoneEgress = false;
        boolean forbid = false;
        MapReader routing = mesh.map("routing");
        if (routing != null) {
            routing.allow("localityAwareLoadBalancing", "zoneEgress", "defaultForbidMeshExternalServiceAccess");
            routing.bool("localityAwareLoadBalancing");
            zoneEgress = routing.bool("zoneEgress", false);
            forbid = routing.bool("defaultForbidMeshExternalServiceAccess", false);
        }
        MapReader networking = mesh.map("networking");
        if (networking != null) {
            networking.allow("outbound");
            MapReader outbound = networking.map("outbound");
            if (outbound != null) {
                outbound.allow("passthrough");
                outbound.bool("passthrough");
            }
        }
        for (String section : List.of("tracing", "logging", "metrics", "constraints", "meshServices")) {
            mesh.map(section);
        }
        mesh.bool("skipCreatingInitialPolicies");
        if (mesh.diagnostics().count() > before) {
            return null;
        }
        return new Mesh(meta, forbid, zoneEgress, enabledBackend == null || enabledBackend.isEmpty() ? null
                : enabledBackend);
    }
}
