package io.sallyport.core.config;

import io.sallyport.core.config.MeshPassthrough.AppendMatch;
import io.sallyport.core.config.MeshPassthrough.MatchType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a {@code MeshPassthrough} spec with Kuma's rules for {@code appendMatch}: a Domain is never
 * plain {@code tcp}; no partial wildcards; a wildcard domain on an L7 protocol needs a port; one port
 * carries one L7 protocol; a value appears once per (port, protocol); IPs and CIDRs are well formed.
 */
final class MeshPassthroughReader implements KindReader {

    static final List<String> FIELDS = List.of("targetRef", "default");
    static final List<String> PROTOCOLS = List.of("tcp", "tls", "http", "http2", "grpc");
    static final List<String> TYPES = List.of("Domain", "IP", "CIDR");
    private static final Pattern PARTIAL_WILDCARD = Pattern.compile("^\\*[^.]+");

    @Override
    public Resource read(ResourceMeta meta, MapReader spec, MapReader root) {
        int before = spec.diagnostics().count();
        MeshTrafficPermission.TargetRef target = TargetRefReader.read(spec, "targetRef");
        if (target != null && !List.of("Mesh", "MeshSubset", "Dataplane").contains(target.kind())) {
            spec.mapOrEmpty("targetRef").error("kind", "must be one of Mesh, MeshSubset, Dataplane, got \""
                    + target.kind() + "\"");
        }
        MapReader conf = spec.mapOrEmpty("default");
        conf.allow("passthroughMode", "appendMatch");
        String mode = conf.oneOf("passthroughMode", List.of("All", "Matched", "None"));
        List<AppendMatch> matches = new ArrayList<>();
        Map<Integer, String> l7ByPort = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (MapReader m : conf.maps("appendMatch")) {
            AppendMatch am = readMatch(m, l7ByPort, seen);
            if (am != null) {
                matches.add(am);
            }
        }
        if (spec.diagnostics().count() > before) {
            return null;
        }
        return new MeshPassthrough(meta, mode == null ? null : MeshPassthrough.Mode.valueOf(mode), matches);
    }

    private static AppendMatch readMatch(MapReader m, Map<Integer, String> l7ByPort, Set<String> seen) {
        int before = m.diagnostics().count();
        m.allow("type", "value", "port", "protocol");
        String type = m.require("type") ? m.oneOf("type", TYPES) : null;
        String value = m.requiredString("value");
        Integer port = m.port("port");
        String protocol = m.oneOf("protocol", PROTOCOLS);
        String proto = protocol == null ? "tcp" : protocol;
        boolean l7 = proto.equals("http") || proto.equals("http2") || proto.equals("grpc");
        if (type != null && value != null) {
            switch (type) {
                case "IP" -> {
                    if (!Addresses.isIp(value)) {
                        m.error("value", "must be an IP address, got \"" + value + "\"");
                    }
                }
                case "CIDR" -> {
                    if (!Addresses.isCidr(value)) {
                        m.error("value", "must be a CIDR, got \"" + value + "\"");
                    }
                }
                default -> {
                    if (proto.equals("tcp")) {
                        m.error("protocol", "protocol tcp is not supported for a Domain match "
                                + "(use tls, http, http2 or grpc: the domain is read from SNI or Host)");
                    }
                    if (PARTIAL_WILDCARD.matcher(value).find()) {
                        m.error("value", "partial wildcard \"" + value + "\" is not supported; use \"*.domain\"");
                    } else {
                        String name = value.startsWith("*.") ? value.substring(2) : value;
                        if (!Addresses.isDnsName(name)) {
                            m.error("value", "must be a DNS name or *.domain, got \"" + value + "\"");
                        }
                    }
                    if (value.startsWith("*") && l7 && !m.has("port")) {
                        m.error("port", "must be set for a wildcard domain with protocol " + proto);
                    }
                }
            }
        }
        if (port != null && l7) {
            String other = l7ByPort.putIfAbsent(port, proto);
            if (other != null && !other.equals(proto)) {
                m.error("port", "port " + port + " already carries protocol " + other
                        + "; one port takes one of http, http2, grpc");
            }
        }
        if (value != null && m.diagnostics().count() == before
                && !seen.add(Objects.toString(port) + "/" + proto + "/" + value)) {
            m.error("value", "value " + value + " is already defined for port "
                    + (port == null ? "any" : port) + " and protocol " + proto);
        }
        if (m.diagnostics().count() > before) {
            return null;
        }
        return new AppendMatch(MatchType.valueOf(type), value, port, Protocol.fromYaml(proto));
    }
}
