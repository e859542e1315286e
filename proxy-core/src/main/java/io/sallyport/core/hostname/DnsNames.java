package io.sallyport.core.hostname;

/**
 * The host name rules generated hostnames must follow (RFC 1123): labels of 1 to 63 letters, digits and
 * hyphens, not starting or ending with a hyphen, at most 253 characters in all (without a trailing dot).
 * Names are compared in lower case, as DNS compares them (RFC 4343).
 */
public final class DnsNames {

    public static final int MAX_NAME_LENGTH = 253;
    public static final int MAX_LABEL_LENGTH = 63;

    private DnsNames() {
    }

    /**
     * Why {@code name} is not a valid lower-case host name, or {@code null} when it is. A single trailing
     * dot (a fully qualified name) is allowed.
     */
    public static String problem(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (n.isEmpty()) {
            return "the name is empty";
        }
        if (n.length() > MAX_NAME_LENGTH) {
            return "longer than " + MAX_NAME_LENGTH + " characters (" + n.length() + ")";
        }
        int start = 0;
        while (start <= n.length()) {
            int end = n.indexOf('.', start);
            if (end < 0) {
                end = n.length();
            }
            String label = n.substring(start, end);
            String p = labelProblem(label);
            if (p != null) {
                return p;
            }
            start = end + 1;
        }
        return null;
    }

    /** True when {@link #problem(String)} finds nothing wrong. */
    public static boolean isValid(String name) {
        return problem(name) == null;
    }

    private static String labelProblem(String label) {
        if (label.isEmpty()) {
            return "it has an empty label (two dots in a row, or a leading dot)";
        }
        if (label.length() > MAX_LABEL_LENGTH) {
            return "label \"" + label + "\" is longer than " + MAX_LABEL_LENGTH + " characters";
        }
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            if (!ok) {
                return "label \"" + label + "\" contains '" + c + "' (only a-z, 0-9 and '-' are allowed)";
            }
        }
        if (label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
            return "label \"" + label + "\" starts or ends with '-'";
        }
        return null;
    }
}
