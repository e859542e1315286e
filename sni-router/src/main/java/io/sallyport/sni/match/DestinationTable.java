package io.sallyport.sni.match;

import java.util.Map;
import java.util.TreeMap;

/**
 * The destination-IP level of the listener matcher for one port (or for "any port"): for each prefix
 * length present, a hash table from the masked network address to the {@link NameTable} of that
 * prefix, probed from the longest length to the shortest, then the rules without a destination.
 *
 * <p>A lookup costs at most one probe per distinct prefix length (33 for IPv4, 129 for IPv6, in
 * practice a handful), independent of the number of rules, and allocates nothing.
 */
final class DestinationTable {

    private final int[] v4Lengths;
    private final V4Map[] v4Maps;
    private final int[] v6Lengths;
    private final V6Map[] v6Maps;
    private final NameTable anyDestination;

    /**
     * @param prefixes       name tables by destination prefix
     * @param anyDestination the rules without a destination, or null
     */
    DestinationTable(Map<IpPrefix, NameTable> prefixes, NameTable anyDestination) {
        TreeMap<Integer, Map<IpPrefix, NameTable>> v4 = new TreeMap<>((a, b) -> b - a);
        TreeMap<Integer, Map<IpPrefix, NameTable>> v6 = new TreeMap<>((a, b) -> b - a);
        prefixes.forEach((prefix, names) -> (prefix.isIpv6() ? v6 : v4)
                .computeIfAbsent(prefix.length(), k -> new java.util.HashMap<>()).put(prefix, names));
        v4Lengths = new int[v4.size()];
        v4Maps = new V4Map[v4.size()];
        int i = 0;
        for (Map.Entry<Integer, Map<IpPrefix, NameTable>> e : v4.entrySet()) {
            v4Lengths[i] = e.getKey();
            v4Maps[i++] = new V4Map(e.getValue());
        }
        v6Lengths = new int[v6.size()];
        v6Maps = new V6Map[v6.size()];
        i = 0;
        for (Map.Entry<Integer, Map<IpPrefix, NameTable>> e : v6.entrySet()) {
            v6Lengths[i] = e.getKey();
            v6Maps[i++] = new V6Map(e.getValue());
        }
        this.anyDestination = anyDestination;
    }

    int lookupV4(int address, CharSequence name, int nameLength) {
        long unsigned = address & 0xFFFFFFFFL;
        for (int i = 0; i < v4Lengths.length; i++) {
            NameTable names = v4Maps[i].get((int) (unsigned & IpPrefix.mask32(v4Lengths[i])));
            if (names != null) {
                int rule = names.lookup(name, nameLength);
                if (rule >= 0) {
                    return rule;
                }
            }
        }
        return lookupAny(name, nameLength);
    }

    int lookupV6(long hi, long lo, CharSequence name, int nameLength) {
        for (int i = 0; i < v6Lengths.length; i++) {
            int length = v6Lengths[i];
            NameTable names = v6Maps[i].get(hi & IpPrefix.mask64(Math.min(length, 64)),
                    lo & IpPrefix.mask64(Math.max(length - 64, 0)));
            if (names != null) {
                int rule = names.lookup(name, nameLength);
                if (rule >= 0) {
                    return rule;
                }
            }
        }
        return lookupAny(name, nameLength);
    }

    int lookupAny(CharSequence name, int nameLength) {
        return anyDestination == null ? -1 : anyDestination.lookup(name, nameLength);
    }

    private static int capacityFor(int size) {
        return Integer.highestOneBit(Math.max(2, size * 2 - 1)) << 1;
    }

    /**
     * Open addressing: masked IPv4 network → name table. A slot packs the network and the entry number
     * in one long (0 = empty), so a probe touches one array.
     */
    private static final class V4Map {
        private final long[] slots; // network << 32 | (entry + 1)
        private final NameTable[] tables;
        private final int mask;

        V4Map(Map<IpPrefix, NameTable> entries) {
            int capacity = capacityFor(entries.size());
            slots = new long[capacity];
            tables = new NameTable[entries.size()];
            mask = capacity - 1;
            int entry = 0;
            for (Map.Entry<IpPrefix, NameTable> e : entries.entrySet()) {
                int key = e.getKey().ipv4Bits();
                int slot = NameTable.spread(key) & mask;
                while (slots[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                slots[slot] = (long) key << 32 | (entry + 1);
                tables[entry++] = e.getValue();
            }
        }

        NameTable get(int key) {
            for (int slot = NameTable.spread(key) & mask; ; slot = (slot + 1) & mask) {
                long packed = slots[slot];
                if (packed == 0) {
                    return null;
                }
                if ((int) (packed >>> 32) == key) {
                    return tables[(int) packed - 1];
                }
            }
        }
    }

    /** Open addressing: masked IPv6 network → name table; a slot is three adjacent longs (hi, lo, entry + 1). */
    private static final class V6Map {
        private final long[] slots;
        private final NameTable[] tables;
        private final int mask;

        V6Map(Map<IpPrefix, NameTable> entries) {
            int capacity = capacityFor(entries.size());
            slots = new long[capacity * 3];
            tables = new NameTable[entries.size()];
            mask = capacity - 1;
            int entry = 0;
            for (Map.Entry<IpPrefix, NameTable> e : entries.entrySet()) {
                long hi = e.getKey().ipv6High();
                long lo = e.getKey().ipv6Low();
                int slot = slotOf(hi, lo);
                while (slots[slot * 3 + 2] != 0) {
                    slot = (slot + 1) & mask;
                }
                slots[slot * 3] = hi;
                slots[slot * 3 + 1] = lo;
                slots[slot * 3 + 2] = entry + 1;
                tables[entry++] = e.getValue();
            }
        }

        private int slotOf(long hi, long lo) {
            return NameTable.spread(Long.hashCode(hi * 0x9E3779B97F4A7C15L ^ lo)) & mask;
        }

        NameTable get(long hi, long lo) {
            for (int slot = slotOf(hi, lo); ; slot = (slot + 1) & mask) {
                long entry = slots[slot * 3 + 2];
                if (entry == 0) {
                    return null;
                }
                if (slots[slot * 3] == hi && slots[slot * 3 + 1] == lo) {
                    return tables[(int) entry - 1];
                }
            }
        }
    }
}
