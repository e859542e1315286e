package io.sallyport.egress.permission;

import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.Mesh;
import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.config.MeshTrafficPermission;
import io.sallyport.core.config.MeshTrafficPermission.TargetRef;
import io.sallyport.egress.identity.SpiffeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Who may reach which MeshExternalService through the zone egress, compiled once per config from the
 * {@code MeshTrafficPermission}s that target a MeshExternalService (by name, display name or labels) or
 * the whole Mesh. Immutable; {@link #decide} allocates nothing but its answer's reuse.
 *
 * <p>A caller (its SPIFFE ID, and {@code kuma.io/service} = the ID's last path segment) matches:
 * {@code rules[].default.deny/allow} SPIFFE ID matchers (Exact, Prefix); {@code from[]} entries with a
 * {@code targetRef} of kind {@code Mesh} (every caller of the mesh), {@code MeshSubset} (its tags, of
 * which only {@code kuma.io/service} is known from a certificate: a subset naming other tags matches no
 * one), or {@code MeshService} (its name is the caller's {@code kuma.io/service}), with their action.
 * Over every matching entry, deny wins over allow. When no entry matches, the Mesh's
 * {@code routing.defaultForbidMeshExternalServiceAccess} decides (true: deny). A caller of another mesh
 * than the service's is denied.
 */
public final class PermissionTable {

    /** The outcome of one decision. */
    public enum Verdict { ALLOW, DENY }

    /**
     * @param source what decided, e.g. {@code MeshTrafficPermission/allow-billing rules[0].allow} or
     *               {@code Mesh/default defaultForbidMeshExternalServiceAccess=true}
     */
    public record Decision(Verdict verdict, String source) {
        public boolean allowed() {
            return verdict == Verdict.ALLOW;
        }
    }

    private record Entry(Predicate<SpiffeId> caller, Verdict verdict, String source) { }

    private record Service(String mesh, List<Entry> entries, Decision fallback) { }

    public static final PermissionTable EMPTY = new PermissionTable(Map.of());

    private final Map<String, Service> services;

    private PermissionTable(Map<String, Service> services) {
        this.services = Map.copyOf(services);
    }

    /** Compiles the permissions of every MeshExternalService in {@code config}. */
    public static PermissionTable compile(ConfigSet config) {
        Map<String, Boolean> forbid = new HashMap<>();
        for (Mesh m : config.all(Mesh.class)) {
            forbid.put(m.name(), m.defaultForbidMeshExternalServiceAccess());
        }
        Map<String, Service> out = new HashMap<>();
        for (MeshExternalService mes : config.all(MeshExternalService.class)) {
            String mesh = mes.meta().mesh();
            List<Entry> entries = new ArrayList<>();
            for (MeshTrafficPermission mtp : config.all(MeshTrafficPermission.class)) {
                if (mtp.meta().mesh().equals(mesh) && targets(mtp.targetRef(), mes)) {
                    entries(mtp, entries);
                }
            }
            boolean f = forbid.getOrDefault(mesh, false);
            Decision fallback = new Decision(f ? Verdict.DENY : Verdict.ALLOW,
                    "Mesh/" + mesh + " defaultForbidMeshExternalServiceAccess=" + f);
            out.put(mes.name(), new Service(mesh, List.copyOf(entries), fallback));
        }
        return new PermissionTable(out);
    }

    /**
     * Decides whether {@code caller} may reach the MeshExternalService named {@code service}. An unknown
     * service is denied.
     */
    public Decision decide(String service, SpiffeId caller) {
        Objects.requireNonNull(caller, "caller");
        Service s = services.get(service);
        if (s == null) {
            return new Decision(Verdict.DENY, "no MeshExternalService " + service);
        }
        if (!s.mesh().equals(caller.mesh())) {
            return new Decision(Verdict.DENY, "caller is in mesh " + caller.mesh() + ", service in " + s.mesh());
        }
        Entry allow = null;
        for (Entry e : s.entries()) {
            if (e.caller().test(caller)) {
                if (e.verdict() == Verdict.DENY) {
                    return new Decision(Verdict.DENY, e.source());
                }
                if (allow == null) {
                    allow = e;
                }
            }
        }
        return allow != null ? new Decision(Verdict.ALLOW, allow.source()) : s.fallback();
    }

    /** The number of MeshExternalServices with a compiled policy set (policies or not). */
    public int size() {
        return services.size();
    }

    private static boolean targets(TargetRef ref, MeshExternalService mes) {
        if ("Mesh".equals(ref.kind())) {
            return true;
        }
        Map<String, String> labels = mes.meta().labels();
        return ref.refersTo("MeshExternalService", mes.name(), labels)
                || ref.refersTo("MeshExternalService", mes.meta().displayName(), labels);
    }

    private static void entries(MeshTrafficPermission mtp, List<Entry> out) {
        String name = "MeshTrafficPermission/" + mtp.meta().name();
        for (int i = 0; i < mtp.rules().size(); i++) {
            MeshTrafficPermission.Rule r = mtp.rules().get(i);
            for (MeshTrafficPermission.SpiffeIdMatch m : r.deny()) {
                out.add(new Entry(c -> m.matches(c.uri()), Verdict.DENY, name + " rules[" + i + "].deny"));
            }
            for (MeshTrafficPermission.SpiffeIdMatch m : r.allow()) {
                out.add(new Entry(c -> m.matches(c.uri()), Verdict.ALLOW, name + " rules[" + i + "].allow"));
            }
        }
        for (int i = 0; i < mtp.from().size(); i++) {
            MeshTrafficPermission.From f = mtp.from().get(i);
            Verdict v = f.action() == MeshTrafficPermission.Action.Deny ? Verdict.DENY : Verdict.ALLOW;
            out.add(new Entry(callers(f.targetRef()), v, name + " from[" + i + "]"));
        }
    }

    private static Predicate<SpiffeId> callers(TargetRef ref) {
        switch (ref.kind()) {
            case "Mesh":
                return c -> true;
            case "MeshSubset": {
                Map<String, String> tags = ref.tags();
                if (tags.isEmpty()) {
                    return c -> true;
                }
                if (tags.size() == 1 && tags.containsKey("kuma.io/service")) {
                    String service = tags.get("kuma.io/service");
                    return c -> c.service().equals(service);
                }
                return c -> false; // tags a certificate does not carry
            }
            case "MeshService": {
                String service = ref.name() != null ? ref.name() : ref.tags().get("kuma.io/service");
                return service == null ? c -> false : c -> c.service().equals(service);
            }
            default:
                return c -> false;
        }
    }
}
