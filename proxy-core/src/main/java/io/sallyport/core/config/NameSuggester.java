package io.sallyport.core.config;

import java.util.Collection;
import java.util.Locale;

/**
 * Finds the valid name closest to a misspelt one, for "did you mean" hints. A valid name that starts
 * with what was typed (at least half of it: a truncated name) wins; otherwise the smallest Levenshtein
 * distance, counting a swap of neighbours as one edit, when it is small enough relative to the names'
 * length to be a plausible typo.
 */
final class NameSuggester {

    private NameSuggester() {
    }

    /** The closest of {@code candidates} to {@code typed}, or {@code null} when none is plausible. */
    static String closest(String typed, Collection<String> candidates) {
        String t = typed.toLowerCase(Locale.ROOT);
        String best = null;
        // A typed prefix ("prot" for "protocol") is the likeliest slip; prefer the shortest completion.
        if (t.length() >= 2) {
            for (String c : candidates) {
                if (c.toLowerCase(Locale.ROOT).startsWith(t) && 2 * t.length() >= c.length()
                        && (best == null || c.length() < best.length())) {
                    best = c;
                }
            }
            if (best != null) {
                return best;
            }
        }
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = levenshtein(t, c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        if (best == null) {
            return null;
        }
        // Up to half the longer name, at most three edits: "prto" finds "port", "mesh" does not find "name".
        int limit = Math.min(3, Math.max(1, Math.max(t.length(), best.length()) / 2));
        return bestDistance <= limit ? best : null;
    }

    /**
     * Levenshtein distance extended with adjacent transpositions (optimal string alignment), so the
     * common slip "tsl" for "tls" costs 1.
     */
    static int levenshtein(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }
}
