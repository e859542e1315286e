package io.sallyport.core.config;

import io.sallyport.core.config.MeshExternalService.Endpoint;
import io.sallyport.core.config.MeshExternalService.SanMatch;
import io.sallyport.core.config.MeshExternalService.SanMatchType;
import io.sallyport.core.config.MeshExternalService.TlsVersion;
import io.sallyport.core.config.MeshExternalService.Verification;
import io.sallyport.core.config.MeshExternalService.VerificationMode;
import java.util.ArrayList;
import java.util.List;

/** Reads a {@code MeshExternalService} spec with Kuma's validation rules. */
final class MeshExternalServiceReader implements KindReader {

    static final List<String> FIELDS = List.of("match", "endpoints", "tls", "extension");
    static final List<String> PROTOCOLS = List.of("tcp", "http", "http2", "grpc");
    static final List<String> TLS_VERSIONS = List.of("TLSAuto", "TLS10", "TLS11", "TLS12", "TLS13");
    static final List<String> MODES = List.of("Secured", "SkipSAN", "SkipCA", "SkipAll");

    @Override
    public Resource read(ResourceMeta meta, MapReader spec, MapReader root) {
        int before = spec.diagnostics().count();
        MeshExternalService.Match match = readMatch(spec);
        List<Endpoint> endpoints = readEndpoints(spec);
        MeshExternalService.Tls tls = spec.has("tls") ? readTls(spec.map("tls")) : null;
        MapReader ext = spec.map("extension");
        if (ext != null) {
            ext.allow("type", "config");
            ext.requiredString("type");
        }
        String vip = readStatusVip(root);
        if (spec.diagnostics().count() > before || match == null) {
            return null;
        }
        return new MeshExternalService(meta, match, endpoints, tls, vip);
    }

    private static MeshExternalService.Match readMatch(MapReader spec) {
        if (!spec.require("match")) {
            return null;
        }
        MapReader m = spec.map("match");
        if (m == null) {
            return null;
        }
        m.allow("type", "port", "protocol");
        String type = m.oneOf("type", List.of("HostnameGenerator"));
        Integer port = m.require("port") ? m.port("port") : null;
        String protocol = m.oneOf("protocol", PROTOCOLS);
        if (port == null) {
            return null;
        }
        return new MeshExternalService.Match(type, port, protocol == null ? null : Protocol.fromYaml(protocol));
    }

    private static List<Endpoint> readEndpoints(MapReader spec) {
        List<Endpoint> out = new ArrayList<>();
        if (!spec.has("endpoints")) {
            spec.error("endpoints", "must have at least one endpoint");
            return out;
        }
        List<MapReader> items = spec.maps("endpoints");
        if (items.isEmpty() && spec.node("endpoints") instanceof org.yaml.snakeyaml.nodes.SequenceNode) {
            spec.error("endpoints", "must have at least one endpoint");
        }
        for (MapReader e : items) {
            e.allow("address", "port", "priority");
            String address = e.requiredString("address");
            Integer port = e.port("port");
            Integer priority = e.integer("priority");
            if (priority != null && priority < 0) {
                e.error("priority", "must not be negative");
                priority = null;
            }
            if (address == null) {
                continue;
            }
            if (Addresses.isUnix(address)) {
                String problem = Addresses.unixAddressProblem(address);
                if (problem != null) {
                    e.error("address", problem);
                    continue;
                }
                if (e.has("port")) {
                    e.error("port", "must not be set for a unix socket endpoint");
                    continue;
                }
            } else {
                if (!Addresses.isIp(address) && !Addresses.isDnsName(address)) {
                    e.error("address", "must be an IP address, a DNS name or unix:///absolute/path, got \""
                            + address + "\"");
                    continue;
                }
                if (!e.has("port")) {
                    e.error("port", "must be set (only unix:// endpoints have no port)");
                    continue;
                }
                if (port == null) {
                    continue;
                }
            }
            out.add(new Endpoint(address, port, priority == null ? 0 : priority));
        }
        return out;
    }

    private static MeshExternalService.Tls readTls(MapReader t) {
        if (t == null) {
            return null;
        }
        t.allow("enabled", "allowRenegotiation", "version", "verification");
        boolean enabled = t.bool("enabled", false);
        boolean allowRenegotiation = t.bool("allowRenegotiation", false);
        MeshExternalService.Version version = readVersion(t.map("version"));
        Verification verification = readVerification(t.map("verification"));
        return new MeshExternalService.Tls(enabled, version, allowRenegotiation, verification);
    }

    private static MeshExternalService.Version readVersion(MapReader v) {
        if (v == null) {
            return null;
        }
        v.allow("min", "max");
        String min = v.oneOf("min", TLS_VERSIONS);
        String max = v.oneOf("max", TLS_VERSIONS);
        if (min != null && max != null && !min.equals("TLSAuto") && !max.equals("TLSAuto")
                && TLS_VERSIONS.indexOf(min) > TLS_VERSIONS.indexOf(max)) {
            v.error("min", "min " + min + " is above max " + max);
            return null;
        }
        if (max != null && (max.equals("TLS10") || max.equals("TLS11"))) {
            v.error("max", "max " + max + " is below TLS12, the oldest version Sallyport speaks");
            return null;
        }
        return new MeshExternalService.Version(tlsVersion(min), tlsVersion(max));
    }

    /** TLSAuto and the versions below TLS12 (which the engine never offers) leave the bound open. */
    private static TlsVersion tlsVersion(String v) {
        if (v == null) {
            return null;
        }
        return switch (v) {
            case "TLS12" -> TlsVersion.TLS12;
            case "TLS13" -> TlsVersion.TLS13;
            default -> null;
        };
    }

    private static Verification readVerification(MapReader v) {
        if (v == null) {
            return null;
        }
        v.allow("mode", "serverName", "subjectAltNames", "caCert", "clientCert", "clientKey");
        String modeText = v.string("mode");
        VerificationMode mode = null;
        if (modeText != null) {
            // Kuma's CRD schema spells the last mode "SkipALL" while its docs and code say "SkipAll".
            String m = modeText.equals("SkipALL") ? "SkipAll" : modeText;
            if (MODES.contains(m)) {
                mode = VerificationMode.valueOf(m);
            } else {
                v.error("mode", "must be one of " + String.join(", ", MODES) + ", got \"" + modeText + "\"");
            }
        }
        String serverName = v.string("serverName");
        if (serverName != null && !Addresses.isDnsName(serverName)) {
            v.error("serverName", "must be a DNS name, got \"" + serverName + "\"");
        }
        List<SanMatch> sans = new ArrayList<>();
        for (MapReader s : v.maps("subjectAltNames")) {
            s.allow("type", "value");
            String type = s.oneOf("type", List.of("Exact", "Prefix"));
            String value = s.requiredString("value");
            if (value != null && (type != null || !s.has("type"))) {
                sans.add(new SanMatch(type == null ? SanMatchType.Exact : SanMatchType.valueOf(type), value));
            }
        }
        DataSource caCert = DataSourceReader.read(v, "caCert");
        DataSource clientCert = DataSourceReader.read(v, "clientCert");
        DataSource clientKey = DataSourceReader.read(v, "clientKey");
        if (v.present("clientCert") && !v.present("clientKey")) {
            v.error("clientKey", "must be set when clientCert is set");
        }
        if (v.present("clientKey") && !v.present("clientCert")) {
            v.error("clientCert", "must be set when clientKey is set");
        }
        return new Verification(mode, serverName, sans, caCert, clientCert, clientKey);
    }

    /** {@code status.vip.ip} when a control plane already assigned one; status is otherwise output only. */
    private static String readStatusVip(MapReader root) {
        MapReader status = root.map("status");
        if (status == null) {
            return null;
        }
        MapReader vip = status.map("vip");
        if (vip == null) {
            return null;
        }
        String ip = vip.string("ip");
        if (ip != null && !Addresses.isIp(ip)) {
            vip.error("ip", "must be an IP address, got \"" + ip + "\"");
            return null;
        }
        return ip;
    }
}
