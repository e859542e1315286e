package io.sallyport.core.admin;

import io.netty.handler.codec.http.HttpMethod;
import io.sallyport.core.runtime.ProxyType;
import io.sallyport.core.runtime.SnapshotHolder;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Envoy's admin endpoints that every Sallyport process serves. {@link #install} fills an
 * {@link AdminRoutes}; {@code /listeners} and {@code /clusters} start as {@link ConfigListing}s of the
 * current snapshot and may be replaced by the components that own the sockets.
 */
public final class AdminApi {

    /** What the admin API may ask of the running process. Both actions return at once. */
    public interface Control {

        ServerState state();

        /** Starts draining every listener (stop accepting, let live connections finish). */
        void drainListeners();

        /** Starts a clean shutdown; the process then exits 0. */
        void quit();
    }

    private AdminApi() {
    }

    /** Registers the standard endpoints on {@code routes} and returns it. */
    public static AdminRoutes install(
            AdminRoutes routes, Control control, SnapshotHolder holder, PrometheusMetrics metrics,
            ConfigDump dump, ProxyType proxyType) {
        Objects.requireNonNull(control, "control");
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(dump, "dump");
        routes.register(HttpMethod.GET, "/", req -> AdminResponse.ok(index(routes)));
        routes.register(HttpMethod.GET, "/ready", req -> {
            ServerState s = control.state();
            return AdminResponse.text(s == ServerState.LIVE ? 200 : 503, s.name() + "\n");
        });
        routes.register(HttpMethod.GET, "/stats/prometheus",
                req -> new AdminResponse(200, AdminResponse.PROMETHEUS,
                        metrics.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8), null));
        routes.register(HttpMethod.GET, "/config_dump", req -> AdminResponse.json(dump.render(holder, routes.configDumpSections())));
        routes.register(HttpMethod.GET, "/listeners", req -> listing(
                ConfigListing.renderListeners(holder.current().config(), proxyType, req.wantsJson()), req));
        routes.register(HttpMethod.GET, "/clusters", req -> listing(
                ConfigListing.renderClusters(holder.current().config(), req.wantsJson()), req));
        routes.register(HttpMethod.POST, "/drain_listeners", req -> {
            control.drainListeners();
            return AdminResponse.ok("OK\n");
        });
        routes.register(HttpMethod.POST, "/quitquitquit", req -> AdminResponse.ok("OK\n").thenRun(control::quit));
        return routes;
    }

    private static AdminResponse listing(String body, AdminRequest req) {
        return req.wantsJson() ? AdminResponse.json(body) : AdminResponse.ok(body);
    }

    private static String index(AdminRoutes routes) {
        StringBuilder b = new StringBuilder("admin commands are:\n");
        for (Map.Entry<String, List<String>> e : routes.paths().entrySet()) {
            b.append("  ").append(String.join(",", e.getValue())).append(' ').append(e.getKey()).append('\n');
        }
        return b.toString();
    }
}
