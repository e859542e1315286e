package io.sallyport.core.hostname;

import io.netty.util.NetUtil;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * The CIDR virtual IPs are allocated from ({@code --vip-cidr}, default {@code 242.0.0.0/8}), IPv4 or IPv6.
 * The usable addresses exclude the network address and, for IPv4, the broadcast address (except in
 * /31 and /32, whose every address is usable, RFC 3021). Immutable.
 */
public final class VipRange {

    private final String cidr;
    private final byte[] network;
    private final int prefix;
    private final BigInteger first;
    private final BigInteger size;

    private VipRange(String cidr, byte[] network, int prefix) {
        this.cidr = cidr;
        this.network = network;
        this.prefix = prefix;
        int bits = network.length * 8;
        BigInteger base = new BigInteger(1, network);
        BigInteger total = BigInteger.ONE.shiftLeft(bits - prefix);
        boolean v4 = network.length == 4;
        if (v4 && prefix >= 31 || !v4 && prefix == 128) {
            first = base;
            size = total;
        } else {
            first = base.add(BigInteger.ONE);
            size = v4 ? total.subtract(BigInteger.TWO) : total.subtract(BigInteger.ONE);
        }
    }

    /**
     * Parses {@code a.b.c.d/n} or {@code x::y/n}; host bits must be zero. Throws
     * {@link IllegalArgumentException} with a message naming the problem.
     */
    public static VipRange parse(String cidr) {
        Objects.requireNonNull(cidr, "cidr");
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("VIP CIDR \"" + cidr + "\" has no prefix length (e.g. 242.0.0.0/8)");
        }
        byte[] addr = NetUtil.createByteArrayFromIpAddressString(cidr.substring(0, slash));
        if (addr == null) {
            throw new IllegalArgumentException("VIP CIDR \"" + cidr + "\": \"" + cidr.substring(0, slash)
                    + "\" is not an IP address");
        }
        int bits = addr.length * 8;
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("VIP CIDR \"" + cidr + "\": prefix length must be 0-" + bits);
        }
        BigInteger value = new BigInteger(1, addr);
        if (value.shiftRight(bits - prefix).shiftLeft(bits - prefix).compareTo(value) != 0) {
            throw new IllegalArgumentException("VIP CIDR \"" + cidr + "\" has host bits set");
        }
        return new VipRange(cidr, addr, prefix);
    }

    /** The CIDR as given. */
    public String cidr() {
        return cidr;
    }

    public boolean isIpv4() {
        return network.length == 4;
    }

    /** How many addresses can be handed out. */
    public BigInteger usableSize() {
        return size;
    }

    /** True when {@code address} is in this CIDR (usable or not). */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        int bits = a.length * 8;
        return new BigInteger(1, a).shiftRight(bits - prefix)
                .equals(new BigInteger(1, network).shiftRight(bits - prefix));
    }

    /** The index of {@code address} among the usable addresses, or -1 when it is not one of them. */
    BigInteger indexOf(InetAddress address) {
        if (!contains(address)) {
            return BigInteger.ONE.negate();
        }
        BigInteger i = new BigInteger(1, address.getAddress()).subtract(first);
        return i.signum() < 0 || i.compareTo(size) >= 0 ? BigInteger.ONE.negate() : i;
    }

    /** The usable address at {@code index} (0 ≤ index < {@link #usableSize()}). */
    InetAddress addressAt(BigInteger index) {
        byte[] raw = first.add(index).toByteArray();
        byte[] out = new byte[network.length];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            return InetAddress.getByAddress(out);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return cidr;
    }
}
