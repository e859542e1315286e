package io.sallyport.core.config;

import java.util.List;

/** Reads a {@code ZoneEgress}: the address and port its mTLS listener binds, and its admin port. */
final class ZoneEgressReader implements KindReader {

    static final List<String> FIELDS = List.of("zone", "networking");

    @Override
    public Resource read(ResourceMeta meta, MapReader ze, MapReader root) {
        int before = ze.diagnostics().count();
        ze.string("zone");
        if (!ze.has("networking")) {
            ze.error("networking", "must be set");
        }
        MapReader net = ze.mapOrEmpty("networking");
        net.allow("address", "advertisedAddress", "port", "advertisedPort", "admin");
        String address = net.requiredString("address");
        if (address != null && !Addresses.isIp(address)) {
            net.error("address", "must be an IP address, got \"" + address + "\"");
        }
        String advertised = net.string("advertisedAddress");
        if (advertised != null && !Addresses.isIp(advertised)) {
            net.error("advertisedAddress", "must be an IP address, got \"" + advertised + "\"");
        }
        Integer port = net.require("port") ? net.port("port") : null;
        net.port("advertisedPort");
        Integer adminPort = null;
        MapReader admin = net.map("admin");
        if (admin != null) {
            admin.allow("port");
            adminPort = admin.port("port");
        }
        if (ze.diagnostics().count() > before || port == null) {
            return null;
        }
        return new ZoneEgress(meta, address, port, adminPort);
    }
}
