package io.sallyport.core.config;

import java.util.Collection;
import java.util.Locale;

/**
 * Finds the valid name closest to a misspelt one, for "did you mean" hints. A valid name that starts
 * with what was typed wins (a truncated name); otherwise the smallest Levenshtein distance, when it is
 * small enough relative to the names' length to be a plausible typo.
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
                if (c.toLowerCase(Locale.ROOT).startsWith(t) && (best == null || c.length() < best.length())) {
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
        int limit = Math.max(1, Math.max(t.length(), best.length()) / 3);
        return bestDistance <= limit ? best : null;
    }

    /** Classic edit distance (insert, delete, substitute, each cost 1). */
    static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] swap = prev;
            prev = cur;
            cur = swap;
        }
        return prev[b.length()];
    }
}
