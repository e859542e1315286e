package io.sallyport.core.config;

import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cross-resource rules, checked once every document has been read: references resolve (a
 * {@code secret:} names a Secret, an outbound names a MeshExternalService, both in the same mesh), no
 * resource is defined twice, and no two listeners share an address and port.
 */
public final class ConfigValidator {

    private ConfigValidator() {
    }

    /** Every cross-resource error in {@code config}, sorted by file and line. */
    public static List<ConfigError> validate(ConfigSet config) {
        return validate(config, Set.of());
    }

    /**
     * As {@link #validate(ConfigSet)}, ignoring references to resources in {@code broken}
     * ({@code kind|mesh|name} keys of documents that failed to read and were already reported).
     */
    static List<ConfigError> validate(ConfigSet config, Set<String> broken) {
        List<ConfigError> errors = new ArrayList<>();
        checkDuplicates(config, errors);
        checkSecretRefs(config, broken, errors);
        checkOutbounds(config, broken, errors);
        checkListeners(config, errors);
        errors.sort(null);
        return List.copyOf(errors);
    }

    /** True for a document read in Kubernetes form, whose Mesh/Dataplane/ZoneEgress fields sit under spec. */
    static boolean isKubernetes(ResourceMeta meta) {
        return meta.origin().fieldLines().containsKey("apiVersion");
    }

    /** The path prefix of a top-level kind's fields: {@code spec.} in Kubernetes form, empty otherwise. */
    private static String body(ResourceMeta meta) {
        return isKubernetes(meta) ? "spec." : "";
    }

    private static String where(ResourceMeta meta) {
        return meta.origin().file() + ":" + meta.origin().line();
    }

    private static void checkDuplicates(ConfigSet config, List<ConfigError> errors) {
        Map<String, Resource> seen = new HashMap<>();
        for (Resource r : config.resources()) {
            ResourceMeta m = r.meta();
            Resource first = seen.putIfAbsent(DocumentReader.key(m.kind(), m.mesh(), m.name()), r);
            if (first != null) {
                String path = isKubernetes(m) ? "metadata.name" : "name";
                String scope = r instanceof Mesh || r instanceof ZoneEgress || r instanceof HostnameGenerator
                        ? "" : " in mesh \"" + m.mesh() + "\"";
                errors.add(ConfigError.at(m, path, "duplicate " + m.kind() + " \"" + m.name() + "\"" + scope
                        + " (first defined at " + where(first.meta()) + ")"));
            }
        }
    }

    private static boolean exists(ConfigSet config, Set<String> broken, String kind, String mesh, String name) {
        if (broken.contains(DocumentReader.key(kind, mesh, name))) {
            return true; // already reported where it is defined
        }
        for (Resource r : config.resources()) {
            if (r.meta().kind().equals(kind) && r.meta().mesh().equals(mesh) && r.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static void checkSecretRefs(ConfigSet config, Set<String> broken, List<ConfigError> errors) {
        for (MeshExternalService mes : config.all(MeshExternalService.class)) {
            if (mes.tls() == null) {
                continue;
            }
            MeshExternalService.Verification v = mes.tls().verification();
            checkSecret(config, broken, mes.meta(), "caCert", v.caCert(), errors);
            checkSecret(config, broken, mes.meta(), "clientCert", v.clientCert(), errors);
            checkSecret(config, broken, mes.meta(), "clientKey", v.clientKey(), errors);
        }
    }

    private static void checkSecret(ConfigSet config, Set<String> broken, ResourceMeta meta, String field,
                                    DataSource source, List<ConfigError> errors) {
        if (source instanceof DataSource.SecretRef ref
                && !exists(config, broken, "Secret", meta.mesh(), ref.name())) {
            errors.add(ConfigError.at(meta, "spec.tls.verification." + field + ".secret",
                    "names no Secret \"" + ref.name() + "\" in mesh \"" + meta.mesh() + "\""));
        }
    }

    private static void checkOutbounds(ConfigSet config, Set<String> broken, List<ConfigError> errors) {
        for (Dataplane dp : config.all(Dataplane.class)) {
            for (int i = 0; i < dp.outbounds().size(); i++) {
                Dataplane.BackendRef ref = dp.outbounds().get(i).backendRef();
                String path = body(dp.meta()) + "networking.outbound[" + i + "].backendRef";
                if (!ref.kind().equals("MeshExternalService")) {
                    errors.add(ConfigError.at(dp.meta(), path + ".kind", "must be MeshExternalService "
                            + "(Sallyport serves external services), got \"" + ref.kind() + "\""));
                } else if (!exists(config, broken, "MeshExternalService", dp.meta().mesh(), ref.name())) {
                    errors.add(ConfigError.at(dp.meta(), path + ".name", "names no MeshExternalService \""
                            + ref.name() + "\" in mesh \"" + dp.meta().mesh() + "\""));
                }
            }
        }
    }

    /** A socket some configured proxy binds. {@code address} is an IP literal. */
    private record Listener(String address, int port, ResourceMeta owner, String path) {
    }

    private static void checkListeners(ConfigSet config, List<ConfigError> errors) {
        List<Listener> listeners = new ArrayList<>();
        for (Dataplane dp : config.all(Dataplane.class)) {
            String b = body(dp.meta());
            for (int i = 0; i < dp.outbounds().size(); i++) {
                Dataplane.Outbound o = dp.outbounds().get(i);
                listeners.add(new Listener(o.address(), o.port(), dp.meta(), b + "networking.outbound[" + i + "].port"));
            }
            if (dp.transparentProxying() != null) {
                listeners.add(new Listener("0.0.0.0", dp.transparentProxying().redirectPortOutbound(), dp.meta(),
                        b + "networking.transparentProxying.redirectPortOutbound"));
            }
            if (dp.adminPort() != null) {
                listeners.add(new Listener("127.0.0.1", dp.adminPort(), dp.meta(), b + "networking.admin.port"));
            }
        }
        for (ZoneEgress ze : config.all(ZoneEgress.class)) {
            String b = body(ze.meta());
            listeners.add(new Listener(ze.address(), ze.port(), ze.meta(), b + "networking.port"));
            if (ze.adminPort() != null) {
                listeners.add(new Listener("127.0.0.1", ze.adminPort(), ze.meta(), b + "networking.admin.port"));
            }
        }
        for (int i = 0; i < listeners.size(); i++) {
            Listener l = listeners.get(i);
            for (int j = 0; j < i; j++) {
                Listener other = listeners.get(j);
                if (other.port() == l.port() && overlaps(other.address(), l.address())) {
                    String owner = other.owner() == l.owner() ? "" : other.owner().ref() + " ";
                    errors.add(ConfigError.at(l.owner(), l.path(), "listener " + hostPort(l) + " clashes with "
                            + owner + other.path() + " (" + hostPort(other) + ")"));
                    break;
                }
            }
        }
    }

    private static String hostPort(Listener l) {
        return (l.address().contains(":") ? "[" + l.address() + "]" : l.address()) + ":" + l.port();
    }

    /** Same address, or one side is a wildcard that covers the other ({@code ::} covers IPv4 too). */
    private static boolean overlaps(String a, String b) {
        byte[] x = NetUtil.createByteArrayFromIpAddressString(a);
        byte[] y = NetUtil.createByteArrayFromIpAddressString(b);
        if (x == null || y == null) {
            return a.equals(b);
        }
        if (java.util.Arrays.equals(x, y)) {
            return true;
        }
        return isWildcard(x, y) || isWildcard(y, x);
    }

    private static boolean isWildcard(byte[] wild, byte[] other) {
        for (byte v : wild) {
            if (v != 0) {
                return false;
            }
        }
        return wild.length == 16 || other.length == 4;
    }
}
