package io.sallyport.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@code Dataplane}: its address, inbounds (for identity), outbounds (listeners Sallyport
 * binds), admin port and transparent proxying settings.
 */
final class DataplaneReader implements KindReader {

    static final List<String> FIELDS = List.of("networking", "metrics", "probes");

    @Override
    public Resource read(ResourceMeta meta, MapReader dp, MapReader root) {
        int before = dp.diagnostics().count();
        dp.map("metrics");
        dp.map("probes");
        MapReader net = dp.mapOrEmpty("networking");
        if (!dp.has("networking")) {
            dp.error("networking", "must be set");
        }
        net.allow("address", "advertisedAddress", "inbound", "outbound", "gateway", "admin", "transparentProxying");
        String address = net.requiredString("address");
        if (address != null && !Addresses.isIp(address)) {
            net.error("address", "must be an IP address, got \"" + address + "\"");
        }
        String advertised = net.string("advertisedAddress");
        if (advertised != null && !Addresses.isIp(advertised)) {
            net.error("advertisedAddress", "must be an IP address, got \"" + advertised + "\"");
        }
        List<Dataplane.Inbound> inbounds = new ArrayList<>();
        for (MapReader in : net.maps("inbound")) {
            in.allow("port", "servicePort", "serviceAddress", "address", "tags", "health", "serviceProbe", "state",
                    "name", "protocol");
            Integer port = in.require("port") ? in.port("port") : null;
            in.port("servicePort");
            ipOrNull(in, "serviceAddress");
            ipOrNull(in, "address");
            Map<String, String> tags = in.stringMap("tags");
            MapReader health = in.map("health");
            if (health != null) {
                health.allow("ready");
                health.bool("ready");
            }
            in.map("serviceProbe");
            in.oneOf("state", List.of("Ready", "NotReady", "Ignored"));
            in.string("name");
            in.oneOf("protocol", List.of("tcp", "http", "http2", "grpc", "kafka"));
            if (port != null) {
                inbounds.add(new Dataplane.Inbound(port, tags));
            }
        }
        List<Dataplane.Outbound> outbounds = new ArrayList<>();
        for (MapReader out : net.maps("outbound")) {
            out.allow("port", "address", "tags", "service", "backendRef");
            out.string("service");
            Integer port = out.require("port") ? out.port("port") : null;
            String outAddress = ipOrNull(out, "address");
            out.stringMap("tags");
            Dataplane.BackendRef ref = null;
            MapReader br = out.map("backendRef");
            if (br == null) {
                if (!out.present("backendRef")) {
                    out.error("backendRef", "must be set: Sallyport serves outbounds whose backendRef is a "
                            + "MeshExternalService");
                }
            } else {
                br.allow("kind", "name", "port", "labels");
                String kind = br.requiredString("kind");
                String name = br.requiredString("name");
                Integer refPort = br.port("port");
                br.stringMap("labels");
                if (kind != null && name != null) {
                    ref = new Dataplane.BackendRef(kind, name, refPort);
                }
            }
            if (port != null && ref != null) {
                outbounds.add(new Dataplane.Outbound(outAddress, port, ref));
            }
        }
        MapReader gateway = net.map("gateway");
        if (gateway != null) {
            gateway.allow("tags", "type");
            gateway.stringMap("tags");
            gateway.oneOf("type", List.of("DELEGATED", "BUILTIN"));
        }
        Integer adminPort = null;
        MapReader admin = net.map("admin");
        if (admin != null) {
            admin.allow("port");
            adminPort = admin.port("port");
        }
        Dataplane.TransparentProxying tp = null;
        MapReader tpm = net.map("transparentProxying");
        if (tpm != null) {
            tpm.allow("redirectPortInbound", "redirectPortInboundV6", "redirectPortOutbound", "directAccessServices",
                    "reachableServices", "reachableBackends", "ipFamilyMode");
            tpm.port("redirectPortInbound");
            tpm.port("redirectPortInboundV6");
            Integer redirect = tpm.port("redirectPortOutbound");
            tpm.strings("directAccessServices");
            tpm.strings("reachableServices");
            MapReader rb = tpm.map("reachableBackends");
            if (rb != null) {
                rb.allow("refs");
                rb.maps("refs");
            }
            tpm.oneOf("ipFamilyMode", List.of("DualStack", "IPv4", "IPv6", "dualstack", "ipv4", "ipv6"));
            tp = new Dataplane.TransparentProxying(redirect == null
                    ? Dataplane.TransparentProxying.DEFAULT_REDIRECT_PORT_OUTBOUND : redirect);
        }
        if (dp.diagnostics().count() > before) {
            return null;
        }
        return new Dataplane(meta, address, outbounds, adminPort, tp, inbounds);
    }

    private static String ipOrNull(MapReader m, String field) {
        String s = m.string(field);
        if (s != null && !Addresses.isIp(s)) {
            m.error(field, "must be an IP address, got \"" + s + "\"");
            return null;
        }
        return s;
    }
}
