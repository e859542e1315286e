package io.sallyport.core.config;

import java.util.List;
import java.util.Objects;

/**
 * A Kuma {@code MeshPassthrough}: what transparent-proxied traffic that is not for a known service may
 * leave the mesh. Kuma's default mode is {@code None}.
 */
public record MeshPassthrough(ResourceMeta meta, Mode passthroughMode, List<AppendMatch> appendMatch)
        implements Resource {

    public MeshPassthrough {
        passthroughMode = passthroughMode == null ? Mode.None : passthroughMode;
        appendMatch = List.copyOf(appendMatch);
    }

    /** {@code default.passthroughMode}. */
    public enum Mode { All, Matched, None }

    /** {@code appendMatch[].type}. */
    public enum MatchType { Domain, IP, CIDR }

    /** {@code default.appendMatch[]}: {@code port} is {@code null} for any port. */
    public record AppendMatch(MatchType type, String value, Integer port, Protocol protocol) {
        public AppendMatch {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(value, "value");
            protocol = protocol == null ? Protocol.TCP : protocol;
        }
    }
}
