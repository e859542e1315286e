package io.sallyport.core.config;

import io.netty.util.NetUtil;
import java.util.regex.Pattern;

/**
 * Syntax checks for the address forms configuration uses: IP literals, CIDRs, DNS names and
 * {@code unix:///absolute/path} socket addresses. Pure string checks: nothing here resolves a name.
 */
public final class Addresses {

    /** The scheme prefix of a unix socket endpoint. */
    public static final String UNIX_PREFIX = "unix://";

    /** Linux {@code sun_path} holds 108 bytes including the terminating NUL. */
    public static final int MAX_UNIX_PATH_BYTES = 107;

    private static final Pattern DNS_LABEL = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");

    private Addresses() {
    }

    /** True for an IPv4 or IPv6 literal (IPv6 without brackets). */
    public static boolean isIp(String s) {
        return s != null && (NetUtil.isValidIpV4Address(s) || NetUtil.isValidIpV6Address(s));
    }

    /** True for {@code ip/prefix} with a prefix length that fits the address family. */
    public static boolean isCidr(String s) {
        if (s == null) {
            return false;
        }
        int slash = s.indexOf('/');
        if (slash <= 0 || slash == s.length() - 1) {
            return false;
        }
        String ip = s.substring(0, slash);
        String len = s.substring(slash + 1);
        if (!len.chars().allMatch(Character::isDigit) || len.length() > 3) {
            return false;
        }
        int prefix = Integer.parseInt(len);
        if (NetUtil.isValidIpV4Address(ip)) {
            return prefix <= 32;
        }
        return NetUtil.isValidIpV6Address(ip) && prefix <= 128;
    }

    /**
     * True for a DNS name: dot-separated labels of letters, digits, {@code -} and {@code _} (not
     * starting or ending with {@code -}), each at most 63 characters, 253 in all, an optional final
     * dot; an IP literal is not a DNS name.
     */
    public static boolean isDnsName(String s) {
        if (s == null || s.isEmpty() || isIp(s)) {
            return false;
        }
        String name = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!DNS_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        // An all-numeric last label would be read as a (bad) IPv4 address by resolvers.
        String last = name.substring(name.lastIndexOf('.') + 1);
        return !last.chars().allMatch(Character::isDigit);
    }

    /** True for an address that starts with {@code unix://} (well formed or not). */
    public static boolean isUnix(String s) {
        return s != null && s.startsWith(UNIX_PREFIX);
    }

    /**
     * Why a {@code unix://} address is malformed, or {@code null} when it is {@code unix:///absolute/path}
     * with a path that fits a socket address.
     */
    public static String unixAddressProblem(String s) {
        String path = s.substring(UNIX_PREFIX.length());
        if (!path.startsWith("/") || path.length() < 2 || path.endsWith("/")) {
            return "must be unix:///absolute/path, got \"" + s + "\"";
        }
        if (path.indexOf('\0') >= 0) {
            return "unix socket path must not contain NUL";
        }
        if (path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_UNIX_PATH_BYTES) {
            return "unix socket path is longer than " + MAX_UNIX_PATH_BYTES + " bytes";
        }
        return null;
    }

    /** The file system path of a well-formed {@code unix:///path} address. */
    public static String unixPath(String s) {
        return s.substring(UNIX_PREFIX.length());
    }
}
