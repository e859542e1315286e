package io.sallyport.sni.match;

import io.netty.util.NetUtil;

/**
 * An IPv4 or IPv6 address prefix ({@code 10.0.0.0/8}, {@code 2001:db8::/32}); a single address is a
 * prefix of full length ({@code /32} or {@code /128}).
 *
 * <p>Host bits beyond the prefix length are cleared, so {@code 10.1.2.3/8} equals {@code 10.0.0.0/8}.
 * IPv4-mapped IPv6 prefixes ({@code ::ffff:10.0.0.0/104}) are stored as their IPv4 form, since the
 * matcher compares IPv4-mapped destinations as IPv4.
 */
public final class IpPrefix {

    private final boolean ipv6;
    private final long hi;
    private final long lo;
    private final int length;

    private IpPrefix(boolean ipv6, long hi, long lo, int length) {
        this.ipv6 = ipv6;
        this.length = length;
        if (ipv6) {
            this.hi = hi & mask64(Math.min(length, 64));
            this.lo = lo & mask64(Math.max(length - 64, 0));
        } else {
            this.hi = 0;
            this.lo = lo & 0xFFFFFFFFL & mask32(length);
        }
    }

    /**
     * Parses an IP literal or a CIDR ({@code address/length}).
     *
     * @throws IllegalArgumentException if {@code text} is not an IP literal or CIDR
     */
    public static IpPrefix parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("IP or CIDR is empty");
        }
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String addressText = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] address = NetUtil.createByteArrayFromIpAddressString(addressText);
        if (address == null || (address.length != 4 && address.length != 16)) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        int max = address.length * 8;
        int length = max;
        if (slash >= 0) {
            String lengthText = trimmed.substring(slash + 1);
            if (lengthText.isEmpty() || lengthText.length() > 3 || !lengthText.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("bad prefix length in '" + text + "'");
            }
            length = Integer.parseInt(lengthText);
            if (length > max) {
                throw new IllegalArgumentException("prefix length " + length + " exceeds " + max + " in '" + text + "'");
            }
        }
        return of(address, length);
    }

    /** The prefix of {@code length} bits of {@code address} (4 or 16 bytes). */
    public static IpPrefix of(byte[] address, int length) {
        if (address.length == 4) {
            checkLength(length, 32);
            return new IpPrefix(false, 0, readInt(address, 0) & 0xFFFFFFFFL, length);
        }
        if (address.length != 16) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes, was " + address.length);
        }
        checkLength(length, 128);
        if (isIpv4Mapped(address) && length >= 96) {
            return new IpPrefix(false, 0, readInt(address, 12) & 0xFFFFFFFFL, length - 96);
        }
        return new IpPrefix(true, readLong(address, 0), readLong(address, 8), length);
    }

    /** Whether this is an IPv6 prefix. */
    public boolean isIpv6() {
        return ipv6;
    }

    /** The prefix length in bits. */
    public int length() {
        return length;
    }

    /** Whether this prefix is one whole address ({@code /32} or {@code /128}). */
    public boolean isSingleAddress() {
        return length == (ipv6 ? 128 : 32);
    }

    /** The IPv4 network address as an int (meaningful only for IPv4 prefixes). */
    int ipv4Bits() {
        return (int) lo;
    }

    /** The first 64 bits of an IPv6 network address. */
    long ipv6High() {
        return hi;
    }

    /** The last 64 bits of an IPv6 network address. */
    long ipv6Low() {
        return lo;
    }

    /** Whether {@code address} (4 or 16 bytes; IPv4-mapped IPv6 counts as IPv4) lies in this prefix. */
    public boolean contains(byte[] address) {
        if (address == null) {
            return false;
        }
        if (address.length == 4 || (address.length == 16 && isIpv4Mapped(address))) {
            int v4 = readInt(address, address.length == 4 ? 0 : 12);
            return !ipv6 && ((v4 & 0xFFFFFFFFL) & mask32(length)) == lo;
        }
        if (address.length != 16 || !ipv6) {
            return false;
        }
        return (readLong(address, 0) & mask64(Math.min(length, 64))) == hi
                && (readLong(address, 8) & mask64(Math.max(length - 64, 0))) == lo;
    }

    static boolean isIpv4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
    }

    static int readInt(byte[] a, int i) {
        return (a[i] & 0xFF) << 24 | (a[i + 1] & 0xFF) << 16 | (a[i + 2] & 0xFF) << 8 | (a[i + 3] & 0xFF);
    }

    static long readLong(byte[] a, int i) {
        return (readInt(a, i) & 0xFFFFFFFFL) << 32 | (readInt(a, i + 4) & 0xFFFFFFFFL);
    }

    /** The top {@code bits} of 32 set, as an unsigned long. */
    static long mask32(int bits) {
        return bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
    }

    /** The top {@code bits} of 64 set. */
    static long mask64(int bits) {
        return bits == 0 ? 0 : -1L << (64 - bits);
    }

    private static void checkLength(int length, int max) {
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length must be 0.." + max + ", was " + length);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpPrefix p && p.ipv6 == ipv6 && p.hi == hi && p.lo == lo && p.length == length;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(hi * 31 + lo) * 31 + length + (ipv6 ? 1 : 0);
    }

    @Override
    public String toString() {
        byte[] bytes;
        if (ipv6) {
            bytes = new byte[16];
            for (int i = 0; i < 8; i++) {
                bytes[i] = (byte) (hi >>> (56 - 8 * i));
                bytes[8 + i] = (byte) (lo >>> (56 - 8 * i));
            }
        } else {
            bytes = new byte[] {(byte) (lo >>> 24), (byte) (lo >>> 16), (byte) (lo >>> 8), (byte) lo};
        }
        String address = NetUtil.bytesToIpAddress(bytes);
        return isSingleAddress() ? address : address + "/" + length;
    }
}
