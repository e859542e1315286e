package io.sallyport.tls;

import io.netty.util.NetUtil;
import io.sallyport.core.config.MeshExternalService.SanMatch;
import io.sallyport.core.config.MeshExternalService.SanMatchType;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The SAN half of Kuma's verification: the server certificate's subject alternative names must contain
 * the expected name (the SNI name, or the IP for IP endpoints), or match any configured
 * {@code subjectAltNames} matcher.
 *
 * <ul>
 *   <li>Expected DNS names match DNS SANs case-insensitively; a SAN {@code *.example.com} matches
 *       exactly one leftmost label ({@code a.example.com}, not {@code example.com} nor
 *       {@code a.b.example.com}), as RFC 6125 says. The subject CN is never consulted.</li>
 *   <li>Expected IPs match IP SANs by address (so {@code ::1} equals {@code 0:0:0:0:0:0:0:1}).</li>
 *   <li>{@code Exact} matchers compare with DNS SANs as above (wildcards honoured, like Envoy), with IP
 *       SANs by address and with URI SANs (e.g. {@code spiffe://...}) by string; {@code Prefix} matchers
 *       compare string prefixes (case-insensitive for DNS).</li>
 * </ul>
 */
public final class SubjectAltNameVerifier {

    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;
    private static final int SAN_IP = 7;

    private final List<SanMatch> matchers;

    public SubjectAltNameVerifier(List<SanMatch> matchers) {
        this.matchers = List.copyOf(matchers);
    }

    /**
     * Returns normally when {@code leaf} is acceptable for {@code expectedName}.
     *
     * @param expectedName the SNI name or endpoint address; {@code null} when there is none (then only
     *                     the matchers can accept)
     * @throws UpstreamCertificateException with {@link TlsFailureReason#SAN_MISMATCH} otherwise
     */
    public void verify(X509Certificate leaf, String expectedName) throws UpstreamCertificateException {
        List<String> dns = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        Collection<List<?>> sans;
        try {
            sans = leaf.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new UpstreamCertificateException(TlsFailureReason.SAN_MISMATCH,
                    "server certificate has unreadable subjectAltNames: " + e.getMessage(), e);
        }
        if (sans != null) {
            for (List<?> san : sans) {
                if (san.size() < 2 || !(san.get(0) instanceof Integer type) || !(san.get(1) instanceof String value)) {
                    continue;
                }
                switch (type) {
                    case SAN_DNS -> dns.add(value);
                    case SAN_IP -> ips.add(value);
                    case SAN_URI -> uris.add(value);
                    default -> { }
                }
            }
        }
        if (expectedName != null && matchesExpected(expectedName, dns, ips)) {
            return;
        }
        for (SanMatch m : matchers) {
            if (matches(m, dns, ips, uris)) {
                return;
            }
        }
        StringBuilder msg = new StringBuilder("server certificate SANs ");
        List<String> all = new ArrayList<>();
        dns.forEach(d -> all.add("DNS:" + d));
        ips.forEach(i -> all.add("IP:" + i));
        uris.forEach(u -> all.add("URI:" + u));
        msg.append(all.isEmpty() ? "(none)" : String.join(", ", all)).append(" match neither ");
        msg.append(expectedName == null ? "a server name (none known)" : "\"" + expectedName + "\"");
        if (!matchers.isEmpty()) {
            msg.append(" nor subjectAltNames ").append(matchers);
        }
        throw new UpstreamCertificateException(TlsFailureReason.SAN_MISMATCH, msg.toString());
    }

    private static boolean matchesExpected(String expected, List<String> dns, List<String> ips) {
        byte[] address = ipBytes(expected);
        if (address != null) {
            for (String ip : ips) {
                if (Arrays.equals(address, ipBytes(ip))) {
                    return true;
                }
            }
            return false;
        }
        for (String san : dns) {
            if (dnsMatches(expected, san)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(SanMatch m, List<String> dns, List<String> ips, List<String> uris) {
        String value = m.value();
        if (m.type() == SanMatchType.Exact) {
            byte[] address = ipBytes(value);
            for (String san : dns) {
                if (dnsMatches(value, san)) {
                    return true;
                }
            }
            for (String ip : ips) {
                if (ip.equals(value) || address != null && Arrays.equals(address, ipBytes(ip))) {
                    return true;
                }
            }
            return uris.contains(value);
        }
        String lowerPrefix = value.toLowerCase(Locale.ROOT);
        for (String san : dns) {
            if (san.toLowerCase(Locale.ROOT).startsWith(lowerPrefix)) {
                return true;
            }
        }
        for (String ip : ips) {
            if (ip.startsWith(value)) {
                return true;
            }
        }
        for (String uri : uris) {
            if (uri.startsWith(value)) {
                return true;
            }
        }
        return false;
    }

    /** Whether host name {@code name} is covered by the DNS SAN {@code san} (RFC 6125 wildcards). */
    static boolean dnsMatches(String name, String san) {
        String host = stripDot(name).toLowerCase(Locale.ROOT);
        String pattern = stripDot(san).toLowerCase(Locale.ROOT);
        if (host.isEmpty() || pattern.isEmpty()) {
            return false;
        }
        if (!pattern.startsWith("*.")) {
            return host.equals(pattern);
        }
        String suffix = pattern.substring(1); // ".example.com"
        // The wildcard must leave at least two labels ("*.com" covers nothing) and stand for one label.
        if (suffix.indexOf('.', 1) < 0) {
            return false;
        }
        int firstDot = host.indexOf('.');
        return firstDot > 0 && host.substring(firstDot).equals(suffix);
    }

    private static String stripDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static byte[] ipBytes(String s) {
        String v = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        return NetUtil.isValidIpV4Address(v) || NetUtil.isValidIpV6Address(v)
                ? NetUtil.createByteArrayFromIpAddressString(v) : null;
    }
}
