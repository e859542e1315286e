package io.sallyport.core.hostname;

import io.netty.util.NetUtil;
import io.sallyport.core.config.ConfigError;
import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.HostnameGenerator;
import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.config.ResourceMeta;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The hostnames {@code HostnameGenerator}s give MeshExternalServices and the virtual IP of each such
 * service, compiled once per configuration. Immutable and safe to read from any thread; lookups do not
 * allocate (except to lower-case a name that has upper-case letters).
 *
 * <h2>Hostnames</h2>
 * Every generator whose {@code selector.meshExternalService.matchLabels} matches a service's labels
 * renders its template for that service. Generators and services are taken in configuration order (files
 * sorted, documents in file order), so when two services generate the same hostname the first keeps it and
 * the second is reported. Hostnames form one namespace across meshes: the DNS responder serves them all.
 *
 * <h2>VIPs</h2>
 * A service with at least one hostname, or with an explicit {@code status.vip.ip}, gets a VIP:
 * <ol>
 *   <li>{@code status.vip.ip} when present, inside or outside the VIP CIDR (addresses inside it are
 *       reserved before anything is allocated);</li>
 *   <li>otherwise the usable address at {@code fnv1a64(mesh + "/" + name) mod usableSize}, probing upward
 *       (wrapping) past taken addresses, services taken in (mesh, name) order.</li>
 * </ol>
 * The same configuration always gives the same VIPs, and adding or removing a service moves no other
 * service's VIP unless the new service hashes onto exactly the address another one probed to (about
 * n / 2<sup>24</sup> for n services in a /8).
 */
public final class HostnameTable {

    /** A service that has a VIP, with its listener port ({@code match.port}) and hostnames. */
    public record VipService(MeshExternalService service, InetAddress vip, int port, List<String> hostnames) {
        public VipService {
            hostnames = List.copyOf(hostnames);
        }

        public String name() {
            return service.name();
        }
    }

    /** The table (with whatever could be compiled) and every error found. */
    public record Result(HostnameTable table, List<ConfigError> errors) {
        public Result {
            errors = List.copyOf(errors);
        }

        public boolean ok() {
            return errors.isEmpty();
        }
    }

    /** A table with no hostnames and no VIPs. */
    public static final HostnameTable EMPTY =
            new HostnameTable(VipRange.parse("242.0.0.0/8"), List.of(), Map.of());

    private final VipRange range;
    private final List<VipService> services;
    private final Map<String, VipService> byService;
    /** Hostname (lower case, with and without trailing dot) → VIP. */
    private final Map<String, InetAddress> byHostname;

    private HostnameTable(VipRange range, List<VipService> services, Map<String, InetAddress> byHostname) {
        this.range = range;
        this.services = List.copyOf(services);
        Map<String, VipService> m = new HashMap<>();
        for (VipService s : this.services) {
            m.putIfAbsent(s.name(), s);
        }
        this.byService = Map.copyOf(m);
        this.byHostname = Map.copyOf(byHostname);
    }

    /**
     * Compiles the hostnames and VIPs of {@code config}. Throws {@link IllegalArgumentException} only when
     * {@code vipCidr} is not a CIDR (a command-line error, see {@link VipRange#parse}); configuration
     * problems are returned as errors, next to a table built from everything that was valid.
     */
    public static Result compile(ConfigSet config, String vipCidr) {
        VipRange range = VipRange.parse(vipCidr);
        List<ConfigError> errors = new ArrayList<>();

        List<Map.Entry<HostnameGenerator, HostnameTemplate>> generators = new ArrayList<>();
        for (HostnameGenerator g : config.all(HostnameGenerator.class)) {
            try {
                generators.add(Map.entry(g, HostnameTemplate.parse(g.template())));
            } catch (TemplateException e) {
                errors.add(ConfigError.at(g.meta(), "spec.template", "invalid template: " + e.getMessage()));
            }
        }

        List<MeshExternalService> all = config.all(MeshExternalService.class);
        Map<MeshExternalService, List<String>> hostnames = new LinkedHashMap<>();
        Map<String, MeshExternalService> owners = new HashMap<>();
        for (MeshExternalService mes : all) {
            Set<String> mine = new LinkedHashSet<>();
            for (Map.Entry<HostnameGenerator, HostnameTemplate> e : generators) {
                HostnameGenerator g = e.getKey();
                if (!g.selects(mes.meta().labels())) {
                    continue;
                }
                HostnameTemplate.Rendered r = e.getValue().render(mes);
                if (!r.ok()) {
                    String path = r.error().startsWith("label ") ? labelsPath(mes.meta()) : namePath(mes.meta());
                    errors.add(ConfigError.at(mes.meta(), path, g.meta().ref() + ": " + r.error()));
                    continue;
                }
                MeshExternalService owner = owners.get(r.hostname());
                if (owner != null && owner != mes) {
                    errors.add(ConfigError.at(mes.meta(), namePath(mes.meta()), "hostname \"" + r.hostname()
                            + "\" (from " + g.meta().ref() + ") is already generated for " + owner.meta().ref()));
                    continue;
                }
                owners.put(r.hostname(), mes);
                mine.add(r.hostname());
            }
            if (!mine.isEmpty() || mes.statusVip() != null) {
                hostnames.put(mes, List.copyOf(mine));
            }
        }

        Map<MeshExternalService, InetAddress> vips = allocate(range, hostnames.keySet(), errors);

        List<VipService> services = new ArrayList<>();
        Map<String, InetAddress> byHostname = new HashMap<>();
        for (Map.Entry<MeshExternalService, List<String>> e : hostnames.entrySet()) {
            InetAddress vip = vips.get(e.getKey());
            if (vip == null) {
                continue;
            }
            services.add(new VipService(e.getKey(), vip, e.getKey().match().port(), e.getValue()));
            for (String h : e.getValue()) {
                byHostname.put(h, vip);
                byHostname.put(h + ".", vip);
            }
        }
        errors.sort(Comparator.naturalOrder());
        return new Result(new HostnameTable(range, services, byHostname), errors);
    }

    private static Map<MeshExternalService, InetAddress> allocate(
            VipRange range, Set<MeshExternalService> wanted, List<ConfigError> errors) {
        Map<MeshExternalService, InetAddress> vips = new HashMap<>();
        Map<InetAddress, MeshExternalService> taken = new HashMap<>();
        Set<BigInteger> takenIndexes = new HashSet<>();
        // Explicit status.vip.ip first, in configuration order, so allocation never hands them out.
        for (MeshExternalService mes : wanted) {
            if (mes.statusVip() == null) {
                continue;
            }
            InetAddress ip = ipLiteral(mes.statusVip());
            if (ip == null) {
                errors.add(ConfigError.at(mes.meta(), "status.vip.ip",
                        "\"" + mes.statusVip() + "\" is not an IP address"));
                continue;
            }
            MeshExternalService other = taken.putIfAbsent(ip, mes);
            if (other != null) {
                errors.add(ConfigError.at(mes.meta(), "status.vip.ip", "VIP " + mes.statusVip()
                        + " is already the VIP of " + other.meta().ref()));
                continue;
            }
            vips.put(mes, ip);
            BigInteger idx = range.indexOf(ip);
            if (idx.signum() >= 0) {
                takenIndexes.add(idx);
            }
        }
        List<MeshExternalService> rest = new ArrayList<>();
        for (MeshExternalService mes : wanted) {
            if (mes.statusVip() == null) {
                rest.add(mes);
            }
        }
        rest.sort(Comparator.comparing((MeshExternalService m) -> m.meta().mesh()).thenComparing(m -> m.name()));
        BigInteger size = range.usableSize();
        for (MeshExternalService mes : rest) {
            if (BigInteger.valueOf(takenIndexes.size()).compareTo(size) >= 0) {
                errors.add(ConfigError.at(mes.meta(), "", "no free address left in VIP CIDR " + range.cidr()
                        + " (" + size + " usable) for this service"));
                continue;
            }
            BigInteger idx = hashIndex(mes.meta(), size);
            while (takenIndexes.contains(idx)) {
                idx = idx.add(BigInteger.ONE);
                if (idx.compareTo(size) >= 0) {
                    idx = BigInteger.ZERO;
                }
            }
            takenIndexes.add(idx);
            InetAddress ip = range.addressAt(idx);
            taken.put(ip, mes);
            vips.put(mes, ip);
        }
        return vips;
    }

    private static BigInteger hashIndex(ResourceMeta meta, BigInteger size) {
        long h = 0xcbf29ce484222325L;
        for (byte b : (meta.mesh() + "/" + meta.name()).getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        BigInteger unsigned = new BigInteger(Long.toUnsignedString(h));
        return unsigned.mod(size);
    }

    private static InetAddress ipLiteral(String s) {
        byte[] b = NetUtil.createByteArrayFromIpAddressString(s);
        if (b == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static String labelsPath(ResourceMeta meta) {
        return meta.origin().fieldLines().containsKey("metadata.labels") ? "metadata.labels" : "labels";
    }

    private static String namePath(ResourceMeta meta) {
        return meta.origin().fieldLines().containsKey("metadata.name") ? "metadata.name" : "name";
    }

    /** The VIP CIDR this table was compiled with. */
    public VipRange vipRange() {
        return range;
    }

    /** The VIP of the MeshExternalService named {@code mesName}, or {@code null} when it has none. */
    public InetAddress vipOf(String mesName) {
        VipService s = byService.get(mesName);
        return s == null ? null : s.vip();
    }

    /** The hostnames of the MeshExternalService named {@code mesName}, in generator order (maybe empty). */
    public List<String> hostnamesOf(String mesName) {
        VipService s = byService.get(mesName);
        return s == null ? List.of() : s.hostnames();
    }

    /**
     * The VIP a hostname resolves to, or {@code null} when no service has it. Case-insensitive; a trailing
     * dot is ignored.
     */
    public InetAddress lookup(String hostname) {
        InetAddress vip = byHostname.get(hostname);
        if (vip != null) {
            return vip;
        }
        for (int i = 0; i < hostname.length(); i++) {
            char c = hostname.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return byHostname.get(hostname.toLowerCase(Locale.ROOT));
            }
        }
        return null;
    }

    /** Every service with a VIP, in configuration order: what the VIP listeners bind. */
    public List<VipService> vipServices() {
        return services;
    }

    /** True when no service has a VIP. */
    public boolean isEmpty() {
        return services.isEmpty();
    }

    @Override
    public String toString() {
        return "HostnameTable" + services.stream().map(s -> s.name() + "=" + s.vip().getHostAddress()
                + s.hostnames()).toList();
    }
}
