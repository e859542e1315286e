package io.sallyport.app;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpMethod;
import io.sallyport.core.accesslog.AccessLog;
import io.sallyport.core.accesslog.AccessLogFormat;
import io.sallyport.core.admin.AdminResponse;
import io.sallyport.core.http.StdoutHttpAccessLog;
import io.sallyport.core.runtime.DataPlaneComponent;
import io.sallyport.core.runtime.ProxyType;
import io.sallyport.core.runtime.Snapshot;
import io.sallyport.listeners.ListenerManager;
import io.sallyport.listeners.dns.DnsResponder;
import io.sallyport.listeners.tls.UpstreamTlsInitializers;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * The data-plane components a {@code sallyport run} process starts, in start order (they are drained and
 * closed in reverse): the listener manager (outbound and VIP listeners) and the DNS responder for
 * generated hostnames.
 */
public final class DataPlaneComponents {

    private DataPlaneComponents() {
    }

    /** The components of a standard process. */
    public static List<ComponentFactory> builtIn() {
        return List.of(DataPlaneComponents::listeners, DataPlaneComponents::dns, ZoneEgressComponents::egress);
    }

    static DataPlaneComponent listeners(ComponentContext ctx) {
        AccessLogFormat format = ctx.settings().accessLogFormat() == ServerSettings.AccessLogFormat.JSON
                ? AccessLogFormat.JSON : AccessLogFormat.ENVOY;
        // HTTP requests are logged in the same format choice (Envoy's default line or JSON).
        ListenerManager manager = ListenerManager.standalone(ctx.stats(), AccessLog.stdout(format),
                ctx.settings().drainTimeout(),
                ZoneEgressComponents.sidecarUpstreams(ctx, UpstreamTlsInitializers.shared(ctx.stats())),
                new StdoutHttpAccessLog(format == AccessLogFormat.JSON), ctx.settings().concurrency());
        // What is really bound (VIPs that could not be bound are absent; port 0 shows the chosen port).
        ctx.adminRoutes().register(HttpMethod.GET, "/listeners", req -> {
            Map<String, InetSocketAddress> bound = manager.listeners();
            if (req.wantsJson()) {
                ObjectNode root = JsonNodeFactory.instance.objectNode();
                var arr = root.putArray("listeners");
                bound.forEach((name, addr) -> arr.addObject().put("name", name).put("address", hostPort(addr)));
                return AdminResponse.json(root.toPrettyString() + "\n");
            }
            StringBuilder b = new StringBuilder();
            bound.forEach((name, addr) -> b.append(name).append("::").append(hostPort(addr)).append('\n'));
            return AdminResponse.ok(b.toString());
        });
        return manager;
    }

    static DataPlaneComponent dns(ComponentContext ctx) {
        if (ctx.settings().dnsAddress() == null || ctx.options().proxyType() == ProxyType.EGRESS) {
            return null;
        }
        return new DnsResponder(DnsResponder.Options.system(ctx.settings().dnsAddress()), ctx.stats(),
                Snapshot::hostnames);
    }

    private static String hostPort(InetSocketAddress a) {
        String h = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + a.getPort();
    }
}
