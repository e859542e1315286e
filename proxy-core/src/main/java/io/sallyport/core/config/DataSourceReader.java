package io.sallyport.core.config;

import java.util.Base64;
import java.util.List;

/** Reads a data source ({@code caCert}, {@code clientCert}, {@code clientKey}): exactly one of four forms. */
final class DataSourceReader {

    static final List<String> FORMS = List.of("inline", "inlineString", "secret", "file");

    private DataSourceReader() {
    }

    /** The data source at {@code parent.field}, or {@code null} when absent or invalid (reported). */
    static DataSource read(MapReader parent, String field) {
        MapReader m = parent.map(field);
        if (m == null) {
            return null;
        }
        m.allow(FORMS.toArray(String[]::new));
        int set = 0;
        for (String f : FORMS) {
            if (m.has(f)) {
                set++;
            }
        }
        if (set != 1) {
            m.errorHere("must set exactly one of inline, inlineString, secret, file");
            return null;
        }
        if (m.has("inline")) {
            String b64 = m.string("inline");
            if (b64 == null) {
                return null;
            }
            byte[] bytes = decodeBase64(b64);
            if (bytes == null) {
                m.error("inline", "must be valid base64");
                return null;
            }
            return new DataSource.Inline(bytes);
        }
        if (m.has("inlineString")) {
            String s = m.string("inlineString");
            return s == null ? null : new DataSource.InlineString(s);
        }
        if (m.has("secret")) {
            String s = m.requiredString("secret");
            return s == null ? null : new DataSource.SecretRef(s);
        }
        String f = m.requiredString("file");
        return f == null ? null : new DataSource.FileRef(f);
    }

    /** Standard base64 (as Go and Kubernetes write it), line breaks and spaces ignored; {@code null} if bad. */
    static byte[] decodeBase64(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c)) {
                sb.append(c);
            }
        }
        try {
            return Base64.getDecoder().decode(sb.toString());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
