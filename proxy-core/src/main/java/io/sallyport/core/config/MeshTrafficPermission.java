package io.sallyport.core.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Kuma {@code MeshTrafficPermission}. Sallyport reads those whose {@code targetRef} is a
 * MeshExternalService (or the Mesh): {@code from[]} entries ({@code targetRef} kind Mesh, MeshSubset,
 * MeshService with {@code kuma.io/service} tags) with an action, and {@code rules[]} with SPIFFE ID
 * matchers in {@code allow}, {@code deny} lists.
 */
public record MeshTrafficPermission(ResourceMeta meta, TargetRef targetRef, List<From> from, List<Rule> rules)
        implements Resource {

    public MeshTrafficPermission {
        Objects.requireNonNull(targetRef, "targetRef");
        from = List.copyOf(from);
        rules = List.copyOf(rules);
    }

    /** Actions of {@code from[].default.action}. */
    public enum Action { Allow, Deny, AllowWithShadowDeny }

    /** {@code from[]}: {@code targetRef} names the callers. */
    public record From(TargetRef targetRef, Action action) {
        public From {
            Objects.requireNonNull(targetRef, "targetRef");
            Objects.requireNonNull(action, "action");
        }
    }

    /** {@code rules[].default}: callers matched by SPIFFE ID. */
    public record Rule(List<SpiffeIdMatch> allow, List<SpiffeIdMatch> deny) {
        public Rule {
            allow = List.copyOf(allow);
            deny = List.copyOf(deny);
        }
    }

    /** How a SPIFFE ID matcher compares. */
    public enum MatchType { Exact, Prefix }

    /** {@code spiffeID: {type, value}}. */
    public record SpiffeIdMatch(MatchType type, String value) {
        public boolean matches(String spiffeId) {
            return spiffeId != null && (type == MatchType.Exact ? spiffeId.equals(value) : spiffeId.startsWith(value));
        }
    }

    /**
     * A policy {@code targetRef}: {@code kind} plus {@code name}, {@code tags} (MeshSubset) or
     * {@code labels} (selects resources of {@code kind} by their labels).
     */
    public record TargetRef(String kind, String name, Map<String, String> tags, Map<String, String> labels) {
        public TargetRef {
            Objects.requireNonNull(kind, "kind");
            tags = tags == null ? Map.of() : Map.copyOf(tags);
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }

        public TargetRef(String kind, String name, Map<String, String> tags) {
            this(kind, name, tags, Map.of());
        }

        /** True when this names the resource {@code (kind, name)} or selects it by {@code labels}. */
        public boolean refersTo(String kind, String name, Map<String, String> resourceLabels) {
            if (!this.kind.equals(kind)) {
                return false;
            }
            if (this.name != null && !this.name.isEmpty()) {
                return this.name.equals(name);
            }
            for (Map.Entry<String, String> e : labels.entrySet()) {
                if (!e.getValue().equals(resourceLabels.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
    }
}
