package io.sallyport.core.runtime;

import io.netty.util.NetUtil;
import io.sallyport.core.cluster.ClusterSpec;
import io.sallyport.core.cluster.Endpoint;
import io.sallyport.core.cluster.PriorityLevel;
import io.sallyport.core.config.ConfigError;
import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.Dataplane;
import io.sallyport.core.config.Mesh;
import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.config.MeshTimeout;
import io.sallyport.core.config.ZoneEgress;
import io.sallyport.core.hostname.HostnameTable;
import io.sallyport.core.pem.TlsMaterial;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compiles a validated {@link ConfigSet} into an immutable {@link Snapshot}. Errors found while
 * compiling (they need the whole config: generated hostnames, VIPs) are returned, not thrown.
 *
 * <p>What it builds: one {@link ClusterSpec} per MeshExternalService (endpoints by priority level, the
 * connect and idle timeouts of the MeshTimeouts that target it or its Mesh (and the whole effective
 * MeshTimeout, whose {@code http.*} timeouts the HTTP listeners use), the TLS settings and the PEM
 * material they name, read here); in sidecar
 * mode one {@link ListenerSpec} per {@code Dataplane.networking.outbound[]} entry and one per
 * MeshExternalService that has a VIP, bound on {@code VIP:match.port}. VIPs and hostnames come from the
 * {@link HostnameTable} (HostnameGenerator templates, VIPs from {@link RuntimeOptions#vipCidr()},
 * {@code status.vip.ip} honoured); and, when a Dataplane has {@code transparentProxying}, the
 * {@link TransparentSpec} with the MeshPassthrough documents of its mesh merged ({@link PassthroughSpec}).
 */
public final class SnapshotCompiler {

    /** The snapshot, or the errors that prevented it ({@code snapshot} is {@code null} then). */
    public record Result(Snapshot snapshot, List<ConfigError> errors) {
        public Result {
            errors = List.copyOf(errors);
        }

        public boolean ok() {
            return snapshot != null && errors.isEmpty();
        }
    }

    private SnapshotCompiler() {
    }

    public static Result compile(ConfigSet config, RuntimeOptions options, long generation) {
        List<ConfigError> errors = new ArrayList<>();
        Map<String, ClusterSpec> clusters = new TreeMap<>();
        Map<String, MeshExternalService> services = new HashMap<>();
        boolean sidecar = proxyType(config, options) == ProxyType.DATAPLANE;
        for (MeshExternalService mes : config.all(MeshExternalService.class)) {
            services.put(mes.name(), mes);
            ClusterSpec spec = cluster(mes, config, errors);
            if (spec != null && sidecar) {
                spec = viaZoneEgress(spec, mes, config, options, errors);
            }
            if (spec != null) {
                clusters.put(spec.name(), spec);
            }
        }
        HostnameTable hostnames;
        try {
            HostnameTable.Result h = HostnameTable.compile(config, options.vipCidr());
            errors.addAll(h.errors());
            hostnames = h.table();
        } catch (IllegalArgumentException e) {
            errors.add(new ConfigError("--vip-cidr", 0, null, null, e.getMessage()));
            hostnames = HostnameTable.EMPTY;
        }
        List<ListenerSpec> listeners = new ArrayList<>();
        TransparentSpec transparent = null;
        if (proxyType(config, options) == ProxyType.DATAPLANE) {
            listeners(config, services, clusters, hostnames, listeners, errors);
            transparent = transparent(config, errors);
        }
        if (!errors.isEmpty()) {
            return new Result(null, errors);
        }
        return new Result(new Snapshot(generation, Instant.now(), config, listeners, clusters, hostnames,
                transparent), List.of());
    }

    /** The CLI's choice, else dataplane when a Dataplane document exists, egress when only a ZoneEgress does. */
    static ProxyType proxyType(ConfigSet config, RuntimeOptions options) {
        if (options.proxyType() != null) {
            return options.proxyType();
        }
        if (config.first(Dataplane.class).isEmpty() && config.first(ZoneEgress.class).isPresent()) {
            return ProxyType.EGRESS;
        }
        return ProxyType.DATAPLANE;
    }

    private static ClusterSpec cluster(MeshExternalService mes, ConfigSet config, List<ConfigError> errors) {
        Map<Integer, List<Endpoint>> byPriority = new TreeMap<>();
        boolean bad = false;
        for (int i = 0; i < mes.endpoints().size(); i++) {
            MeshExternalService.Endpoint e = mes.endpoints().get(i);
            try {
                byPriority.computeIfAbsent(e.priority(), p -> new ArrayList<>()).add(Endpoint.parse(e.address(), e.port()));
            } catch (IllegalArgumentException ex) {
                errors.add(ConfigError.at(mes.meta(), "spec.endpoints[" + i + "].address", ex.getMessage()));
                bad = true;
            }
        }
        if (mes.endpoints().isEmpty()) {
            errors.add(ConfigError.at(mes.meta(), "spec.endpoints", "at least one endpoint is required"));
            bad = true;
        }
        if (bad) {
            return null;
        }
        List<PriorityLevel> levels = new ArrayList<>();
        byPriority.forEach((p, eps) -> levels.add(new PriorityLevel(p, eps)));
        MeshTimeout.Timeouts t = timeouts(mes, config);
        Duration connect = t.connectionTimeout() == null || t.connectionTimeout().isZero()
                ? ClusterSpec.DEFAULT_CONNECT_TIMEOUT : t.connectionTimeout();
        Duration idle = t.idleTimeout() == null ? ClusterSpec.DEFAULT_IDLE_TIMEOUT : t.idleTimeout();
        TlsMaterial material = null;
        if (mes.tls() != null && mes.tls().enabled()) {
            // Read here, on the reload thread, so that connections never touch files.
            material = TlsMaterial.read(mes, config);
            if (!material.ok()) {
                errors.addAll(material.errors());
                return null;
            }
        }
        return new ClusterSpec(mes.name(), mes.meta().mesh(), levels, connect, idle,
                ClusterSpec.DEFAULT_MAX_CONNECT_ATTEMPTS, mes.tls(), material, null, t);
    }

    /**
     * In sidecar mode, when the service's Mesh has {@code routing.zoneEgress: true} and mTLS enabled and a
     * ZoneEgress document exists, the cluster's only endpoint becomes the egress and
     * {@link ClusterSpec#viaZoneEgress()} says how to reach the service through it; otherwise the spec is
     * returned unchanged. Routing through the egress needs the mesh identity (--mesh-ca, --identity-cert,
     * --identity-key); the component that opens the connections refuses to start without it.
     */
    static ClusterSpec viaZoneEgress(ClusterSpec spec, MeshExternalService mes, ConfigSet config,
                                     RuntimeOptions options, List<ConfigError> errors) {
        Mesh mesh = null;
        for (Mesh m : config.all(Mesh.class)) {
            if (m.name().equals(mes.meta().mesh())) {
                mesh = m;
            }
        }
        ZoneEgress egress = config.first(ZoneEgress.class).orElse(null);
        if (mesh == null || !mesh.zoneEgress() || !mesh.mtlsEnabled() || egress == null) {
            return spec;
        }
        Endpoint target;
        try {
            target = Endpoint.parse(egress.address(), egress.port());
        } catch (IllegalArgumentException e) {
            errors.add(ConfigError.at(egress.meta(), "networking.address", e.getMessage()));
            return null;
        }
        io.sallyport.core.cluster.ZoneEgressRoute route = new io.sallyport.core.cluster.ZoneEgressRoute(
                mes.meta().mesh(), mes.name(), mes.meta().displayName(), mes.match().port(), target);
        return new ClusterSpec(spec.name(), spec.mesh(), List.of(new PriorityLevel(0, List.of(target))),
                spec.connectTimeout(), spec.idleTimeout(), spec.maxConnectAttempts(), spec.tls(), spec.tlsMaterial(), route,
                spec.meshTimeouts());
    }

    /**
     * Kuma's defaults, overridden by MeshTimeout {@code to[]} entries targeting the Mesh, then by those
     * targeting this MeshExternalService (by name or display name); later documents win at equal rank.
     */
    public static MeshTimeout.Timeouts timeouts(MeshExternalService mes, ConfigSet config) {
        MeshTimeout.Timeouts result = MeshTimeout.Timeouts.KUMA_DEFAULTS;
        for (String rank : List.of("Mesh", "MeshExternalService")) {
            for (MeshTimeout mt : config.all(MeshTimeout.class)) {
                if (!mt.meta().mesh().equals(mes.meta().mesh())) {
                    continue;
                }
                for (MeshTimeout.To to : mt.to()) {
                    if (!rank.equals(to.targetRef().kind())) {
                        continue;
                    }
                    String name = to.targetRef().name();
                    if (rank.equals("Mesh") || mes.name().equals(name) || mes.meta().displayName().equals(name)) {
                        result = to.timeouts().over(result);
                    }
                }
            }
        }
        return result;
    }

    private static void listeners(ConfigSet config, Map<String, MeshExternalService> services,
                                  Map<String, ClusterSpec> clusters, HostnameTable hostnames,
                                  List<ListenerSpec> out, List<ConfigError> errors) {
        Map<String, Boolean> forbidByMesh = new HashMap<>();
        for (Mesh mesh : config.all(Mesh.class)) {
            forbidByMesh.put(mesh.name(), mesh.defaultForbidMeshExternalServiceAccess());
        }
        Map<InetSocketAddress, String> taken = new LinkedHashMap<>();
        for (Dataplane dp : config.all(Dataplane.class)) {
            for (int i = 0; i < dp.outbounds().size(); i++) {
                Dataplane.Outbound o = dp.outbounds().get(i);
                String path = "spec.networking.outbound[" + i + "]";
                if (!"MeshExternalService".equals(o.backendRef().kind())) {
                    continue; // other backends (mesh services) are not Sallyport's
                }
                MeshExternalService mes = services.get(o.backendRef().name());
                if (mes == null) {
                    errors.add(ConfigError.at(dp.meta(), path + ".backendRef.name",
                            "MeshExternalService " + o.backendRef().name() + " does not exist"));
                    continue;
                }
                InetSocketAddress address = socketAddress(o.address(), o.port());
                if (address == null) {
                    errors.add(ConfigError.at(dp.meta(), path + ".address", "not an IP address: " + o.address()));
                    continue;
                }
                add(new ListenerSpec(ListenerSpec.outboundName(address), ListenerSpec.Kind.OUTBOUND, address,
                        mes.name(), mes.match().protocol(), forbidden(mes, forbidByMesh, clusters)),
                        dp.meta(), path + ".port", clusters, taken, out, errors);
            }
        }
        for (HostnameTable.VipService vs : hostnames.vipServices()) {
            MeshExternalService mes = vs.service();
            InetSocketAddress address = new InetSocketAddress(vs.vip(), vs.port());
            add(new ListenerSpec(ListenerSpec.outboundName(address), ListenerSpec.Kind.VIP, address, mes.name(),
                    mes.match().protocol(), forbidden(mes, forbidByMesh, clusters)),
                    mes.meta(), mes.statusVip() != null ? "status.vip.ip" : "spec.match.port",
                    clusters, taken, out, errors);
        }
    }

    /**
     * Whether the sidecar itself refuses connections to {@code mes} because its Mesh forbids access to
     * MeshExternalServices. Not when the traffic goes through the zone egress: the egress decides then,
     * with the caller's identity and the MeshTrafficPermissions that may allow it.
     */
    private static boolean forbidden(MeshExternalService mes, Map<String, Boolean> forbidByMesh,
                                     Map<String, ClusterSpec> clusters) {
        ClusterSpec c = clusters.get(mes.name());
        if (c != null && c.viaZoneEgress() != null) {
            return false;
        }
        return forbidByMesh.getOrDefault(mes.meta().mesh(), false);
    }

    private static void add(ListenerSpec spec, io.sallyport.core.config.ResourceMeta meta, String path,
                            Map<String, ClusterSpec> clusters, Map<InetSocketAddress, String> taken,
                            List<ListenerSpec> out, List<ConfigError> errors) {
        if (!clusters.containsKey(spec.cluster())) {
            return; // the service itself has errors, already reported
        }
        String owner = taken.putIfAbsent(spec.address(), spec.cluster());
        if (owner != null) {
            errors.add(ConfigError.at(meta, path, NetUtil.toSocketAddressString(spec.address())
                    + " is already the listener of MeshExternalService " + owner));
            return;
        }
        out.add(spec);
    }

    /**
     * The transparent listener of the first Dataplane with {@code transparentProxying}, with the
     * MeshPassthrough documents of its mesh merged; {@code null} when no Dataplane uses it.
     */
    static TransparentSpec transparent(ConfigSet config, List<ConfigError> errors) {
        for (Dataplane dp : config.all(Dataplane.class)) {
            if (dp.transparentProxying() == null) {
                continue;
            }
            String bind = TransparentSpec.configuredBindAddress();
            InetSocketAddress address = socketAddress(bind, dp.transparentProxying().redirectPortOutbound());
            if (address == null) {
                errors.add(new ConfigError("-D" + TransparentSpec.BIND_ADDRESS_PROPERTY, 0, null, null,
                        "not an IP address: " + bind));
                return null;
            }
            String mesh = dp.meta().mesh();
            List<io.sallyport.core.config.MeshPassthrough> docs = new ArrayList<>();
            for (io.sallyport.core.config.MeshPassthrough mp : config.all(io.sallyport.core.config.MeshPassthrough.class)) {
                if (mp.meta().mesh().equals(mesh)) {
                    docs.add(mp);
                }
            }
            String name = address.getAddress() instanceof java.net.Inet6Address
                    ? "outbound:passthrough:ipv6" : "outbound:passthrough:ipv4";
            return new TransparentSpec(name, address, mesh, PassthroughSpec.merge(docs));
        }
        return null;
    }

    private static InetSocketAddress socketAddress(String ip, int port) {
        String literal = ip.startsWith("[") && ip.endsWith("]") ? ip.substring(1, ip.length() - 1) : ip;
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(literal);
        if (bytes == null || port < 0 || port > 65535) {
            return null;
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
