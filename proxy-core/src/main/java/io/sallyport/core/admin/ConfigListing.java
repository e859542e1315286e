package io.sallyport.core.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.Dataplane;
import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.config.ZoneEgress;
import io.sallyport.core.runtime.ProxyType;
import io.sallyport.core.runtime.TransparentSpec;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The listeners and clusters a configuration declares, as {@code /listeners} and {@code /clusters} show
 * them until a data-plane component registers handlers that report what is actually bound and connected.
 * Text is Envoy's {@code name::address} style; {@code ?format=json} gives Json.MAPPER.
 */
public final class ConfigListing {

    /** Loaded on first use: the text listings and the startup line need no Jackson. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** One declared listener: a name and the {@code host:port} it binds, and what it serves. */
    public record ListenerEntry(String name, String address, String target) { }

    private ConfigListing() {
    }

    /** The listeners {@code config} declares for a process of type {@code type}. */
    public static List<ListenerEntry> listeners(ConfigSet config, ProxyType type) {
        List<ListenerEntry> out = new ArrayList<>();
        if (type == ProxyType.EGRESS) {
            for (ZoneEgress ze : config.all(ZoneEgress.class)) {
                out.add(new ListenerEntry("egress:" + ze.name(), hostPort(ze.address(), ze.port()), "zone egress"));
            }
            return List.copyOf(out);
        }
        for (Dataplane dp : config.all(Dataplane.class)) {
            for (Dataplane.Outbound o : dp.outbounds()) {
                String address = hostPort(o.address(), o.port());
                out.add(new ListenerEntry("outbound:" + address, address,
                        o.backendRef().kind() + "/" + o.backendRef().name()));
            }
            if (dp.transparentProxying() != null) {
                String address = hostPort(TransparentSpec.configuredBindAddress(),
                        dp.transparentProxying().redirectPortOutbound());
                out.add(new ListenerEntry("outbound:transparent", address, "original destination"));
            }
        }
        return List.copyOf(out);
    }

    /** {@code /listeners}: text lines {@code name::address}, or Json.MAPPER. */
    public static String renderListeners(ConfigSet config, ProxyType type, boolean json) {
        List<ListenerEntry> entries = listeners(config, type);
        if (!json) {
            StringBuilder b = new StringBuilder();
            entries.forEach(e -> b.append(e.name()).append("::").append(e.address()).append('\n'));
            return b.toString();
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode arr = root.putArray("listeners");
        for (ListenerEntry e : entries) {
            arr.addObject().put("name", e.name()).put("address", e.address()).put("target", e.target());
        }
        return write(root);
    }

    /** {@code /clusters}: one line per endpoint {@code mes::address::priority::N}, or Json.MAPPER. */
    public static String renderClusters(ConfigSet config, boolean json) {
        List<MeshExternalService> services = config.all(MeshExternalService.class);
        if (!json) {
            StringBuilder b = new StringBuilder();
            for (MeshExternalService mes : services) {
                for (MeshExternalService.Endpoint ep : mes.endpoints()) {
                    b.append(mes.name()).append("::").append(endpoint(ep))
                            .append("::priority::").append(ep.priority()).append('\n');
                }
            }
            return b.toString();
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode arr = root.putArray("clusters");
        for (MeshExternalService mes : services) {
            ObjectNode c = arr.addObject();
            c.put("name", mes.name());
            c.put("mesh", mes.meta().mesh());
            c.put("protocol", mes.match().protocol().yamlName());
            c.put("port", mes.match().port());
            c.put("tls", mes.tls() != null && mes.tls().enabled());
            ArrayNode eps = c.putArray("endpoints");
            for (MeshExternalService.Endpoint ep : mes.endpoints()) {
                eps.addObject().put("address", endpoint(ep)).put("priority", ep.priority());
            }
        }
        return write(root);
    }

    private static String endpoint(MeshExternalService.Endpoint ep) {
        return ep.port() == null ? ep.address() : hostPort(ep.address(), ep.port());
    }

    static String hostPort(String host, int port) {
        String h = host == null || host.isEmpty() ? "0.0.0.0" : host;
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port;
    }

    private static String write(ObjectNode root) {
        try {
            return Json.MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
