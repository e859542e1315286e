package io.sallyport.app;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Checks {@code ADDRESS/PREFIX} values (IPv4 or IPv6 literals; never a DNS lookup). */
public final class Cidr {

    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");

    private Cidr() {
    }

    /**
     * Returns {@code value} when it is a valid CIDR.
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    public static String check(String value) {
        int slash = value == null ? -1 : value.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("'" + value + "' is not a CIDR (use e.g. 242.0.0.0/8)");
        }
        String ip = value.substring(0, slash);
        int max;
        if (IPV4.matcher(ip).matches()) {
            max = 32;
        } else if (ip.indexOf(':') >= 0 && IPV6_CHARS.matcher(ip).matches()) {
            try {
                InetAddress.getByName(ip); // a literal with ':' is parsed, never resolved
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + ip + "' is not an IP address in '" + value + "'");
            }
            max = 128;
        } else {
            throw new IllegalArgumentException("'" + ip + "' is not an IP address in '" + value + "'");
        }
        int prefix;
        try {
            prefix = Integer.parseInt(value.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("prefix length is not a number in '" + value + "'");
        }
        if (prefix < 0 || prefix > max) {
            throw new IllegalArgumentException("prefix length " + prefix + " is outside 0-" + max + " in '" + value + "'");
        }
        return value;
    }
}
