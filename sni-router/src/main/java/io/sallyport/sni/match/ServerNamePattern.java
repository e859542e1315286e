package io.sallyport.sni.match;

import java.util.Locale;

/**
 * A server name a rule matches: an exact name ({@code api.example.com}) or a wildcard
 * ({@code *.example.com}) that matches any name ending in {@code .example.com} at any depth, never the
 * bare {@code example.com}. Names are compared case-insensitively; one trailing dot is ignored.
 *
 * @param name     the lower-case exact name, or for a wildcard the suffix including its leading dot
 *                 ({@code .example.com})
 * @param wildcard whether this is a wildcard pattern
 */
public record ServerNamePattern(String name, boolean wildcard) {

    public ServerNamePattern {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("server name is empty");
        }
    }

    /**
     * Parses {@code api.example.com} or {@code *.example.com}.
     *
     * @throws IllegalArgumentException for an empty name, a partial wildcard ({@code *w.example.com},
     *                                  {@code a.*.com}), a bare {@code *}, or characters that are not
     *                                  printable ASCII
     */
    public static ServerNamePattern parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("server name is null");
        }
        String name = text.trim().toLowerCase(Locale.ROOT);
        if (name.endsWith(".") && name.length() > 1) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("server name is empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7F) {
                throw new IllegalArgumentException("server name '" + text + "' has a character that is not printable ASCII");
            }
        }
        boolean wildcard = name.startsWith("*.");
        String rest = wildcard ? name.substring(1) : name;
        if (rest.indexOf('*') >= 0) {
            throw new IllegalArgumentException("only a leading '*.' wildcard is supported: '" + text + "'");
        }
        if (wildcard && rest.length() < 2) {
            throw new IllegalArgumentException("wildcard needs a suffix: '" + text + "'");
        }
        return new ServerNamePattern(rest, wildcard);
    }

    @Override
    public String toString() {
        return wildcard ? "*" + name : name;
    }
}
