package io.sallyport.core.config;

import io.sallyport.core.config.MeshTrafficPermission.Action;
import io.sallyport.core.config.MeshTrafficPermission.SpiffeIdMatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@code MeshTrafficPermission}: {@code from[]} with actions and {@code rules[]} with SPIFFE ID
 * matchers ({@code allowWithShadowDeny} entries allow, as their name says).
 */
final class MeshTrafficPermissionReader implements KindReader {

    static final List<String> FIELDS = List.of("targetRef", "from", "rules");
    static final List<String> ACTIONS = List.of("Allow", "Deny", "AllowWithShadowDeny");

    @Override
    public Resource read(ResourceMeta meta, MapReader spec, MapReader root) {
        int before = spec.diagnostics().count();
        MeshTrafficPermission.TargetRef target = TargetRefReader.readOrMesh(spec, "targetRef");
        List<MeshTrafficPermission.From> from = new ArrayList<>();
        for (MapReader f : spec.maps("from")) {
            f.allow("targetRef", "default");
            MeshTrafficPermission.TargetRef ref = f.require("targetRef") ? TargetRefReader.read(f, "targetRef") : null;
            MapReader d = f.mapOrEmpty("default");
            d.allow("action");
            String action = f.has("default") && d.require("action") ? d.oneOf("action", ACTIONS) : null;
            if (!f.has("default")) {
                f.error("default", "must be set");
            }
            if (ref != null && action != null) {
                from.add(new MeshTrafficPermission.From(ref, Action.valueOf(action)));
            }
        }
        List<MeshTrafficPermission.Rule> rules = new ArrayList<>();
        for (MapReader r : spec.maps("rules")) {
            r.allow("default");
            if (!r.require("default")) {
                continue;
            }
            MapReader d = r.mapOrEmpty("default");
            d.allow("allow", "deny", "allowWithShadowDeny");
            List<SpiffeIdMatch> allow = new ArrayList<>(matchers(d, "allow"));
            List<SpiffeIdMatch> deny = matchers(d, "deny");
            allow.addAll(matchers(d, "allowWithShadowDeny"));
            rules.add(new MeshTrafficPermission.Rule(allow, deny));
        }
        if (spec.diagnostics().count() > before || target == null) {
            return null;
        }
        return new MeshTrafficPermission(meta, target, from, rules);
    }

    private static List<SpiffeIdMatch> matchers(MapReader d, String field) {
        List<SpiffeIdMatch> out = new ArrayList<>();
        for (MapReader m : d.maps(field)) {
            m.allow("spiffeID", "sni");
            if (m.present("sni")) {
                // Ignoring it would silently widen an allow or narrow a deny: refuse instead.
                m.error("sni", "sni matchers are not supported by Sallyport; match on spiffeID");
                continue;
            }
            if (!m.require("spiffeID")) {
                continue;
            }
            MapReader s = m.mapOrEmpty("spiffeID");
            s.allow("type", "value");
            String type = s.require("type") ? s.oneOf("type", List.of("Exact", "Prefix")) : null;
            String value = s.requiredString("value");
            if (value != null && !value.startsWith("spiffe://")) {
                s.error("value", "must be a SPIFFE ID (spiffe://...), got \"" + value + "\"");
                continue;
            }
            if (type != null && value != null) {
                out.add(new SpiffeIdMatch(MeshTrafficPermission.MatchType.valueOf(type), value));
            }
        }
        return out;
    }
}
