package io.sallyport.sni.match;

import java.util.Map;

/**
 * The server-name level of the listener matcher for one (port, destination) node: exact names, wildcard
 * suffixes and the rule without a name, looked up in one right-to-left pass over the name without
 * allocating.
 *
 * <p>Both tables are keyed by the same rolling hash of the lower-cased characters taken from the right
 * ({@code h(i) = c[i] + 31 * h(i + 1)}), so one pass over the requested name yields the hash of every
 * suffix: each {@code '.'} at position {@code i > 0} probes the wildcard table with the suffix
 * {@code name[i..]}, and position 0 probes the exact table. The hit with the smallest {@code i} is the
 * longest matching wildcard.
 */
final class NameTable {

    private final HashedNames exact;
    private final HashedNames wildcards;
    private final int unnamedRule;

    NameTable(Map<String, Integer> exact, Map<String, Integer> wildcards, int unnamedRule) {
        this.exact = exact.isEmpty() ? null : new HashedNames(exact);
        this.wildcards = wildcards.isEmpty() ? null : new HashedNames(wildcards);
        this.unnamedRule = unnamedRule;
    }

    /**
     * The index of the most specific rule here for {@code name[0..length)} (exact, then the longest
     * wildcard, then the unnamed rule), or -1.
     */
    int lookup(CharSequence name, int length) {
        if (name == null || length == 0 || (exact == null && wildcards == null)) {
            return unnamedRule;
        }
        int hash = 0;
        int longestWildcard = -1;
        for (int i = length - 1; i >= 0; i--) {
            char c = lower(name.charAt(i));
            hash = 31 * hash + c;
            if (c == '.' && i > 0 && wildcards != null) {
                int rule = wildcards.get(hash, name, i, length);
                if (rule >= 0) {
                    longestWildcard = rule;
                }
            }
        }
        if (exact != null) {
            int rule = exact.get(hash, name, 0, length);
            if (rule >= 0) {
                return rule;
            }
        }
        return longestWildcard >= 0 ? longestWildcard : unnamedRule;
    }

    static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    /** The rolling suffix hash of a whole (lower-case) key, as {@link #lookup} computes it. */
    static int hash(CharSequence key) {
        int hash = 0;
        for (int i = key.length() - 1; i >= 0; i--) {
            hash = 31 * hash + lower(key.charAt(i));
        }
        return hash;
    }

    static int spread(int hash) {
        int h = hash * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    /**
     * An open-addressing table of lower-case names to rule indexes, probed by region without copying.
     * Each slot packs the name's hash and its entry number in one long, so a probe that misses touches
     * one array (one cache line) and the key is only read when the hashes agree.
     */
    private static final class HashedNames {
        private final long[] slots; // hash << 32 | (entry + 1); 0 = empty
        private final String[] keys;
        private final int[] rules;
        private final int mask;

        HashedNames(Map<String, Integer> entries) {
            int capacity = Integer.highestOneBit(Math.max(2, entries.size() * 2 - 1)) << 1;
            slots = new long[capacity];
            keys = new String[entries.size()];
            rules = new int[entries.size()];
            mask = capacity - 1;
            int entry = 0;
            for (Map.Entry<String, Integer> e : entries.entrySet()) {
                int h = hash(e.getKey());
                int slot = spread(h) & mask;
                while (slots[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                slots[slot] = (long) h << 32 | (entry + 1);
                keys[entry] = e.getKey();
                rules[entry++] = e.getValue();
            }
        }

        int get(int hash, CharSequence name, int from, int to) {
            int length = to - from;
            for (int slot = spread(hash) & mask; ; slot = (slot + 1) & mask) {
                long packed = slots[slot];
                if (packed == 0) {
                    return -1;
                }
                if ((int) (packed >>> 32) == hash) {
                    int entry = (int) packed - 1;
                    String key = keys[entry];
                    if (key.length() == length && regionEquals(key, name, from)) {
                        return rules[entry];
                    }
                }
            }
        }

        private static boolean regionEquals(String key, CharSequence name, int from) {
            for (int i = 0, n = key.length(); i < n; i++) {
                if (key.charAt(i) != lower(name.charAt(from + i))) {
                    return false;
                }
            }
            return true;
        }
    }
}
