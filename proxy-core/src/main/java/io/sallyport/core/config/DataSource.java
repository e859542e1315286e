package io.sallyport.core.config;

import java.util.Objects;

/**
 * Where a certificate, chain or key comes from ({@code caCert}, {@code clientCert}, {@code clientKey}).
 * Exactly one of Kuma's four forms.
 */
public sealed interface DataSource {

    /** {@code inline:} base64 of the bytes; {@code bytes} holds them decoded. */
    record Inline(byte[] bytes) implements DataSource {
        public Inline {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Inline i && java.util.Arrays.equals(bytes, i.bytes);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Inline[" + bytes.length + " bytes]";
        }
    }

    /** {@code inlineString:} the PEM text itself. */
    record InlineString(String value) implements DataSource {
        public InlineString {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return "InlineString[" + value.length() + " chars]";
        }
    }

    /** {@code secret:} the name of a {@link Secret} in the same mesh. */
    record SecretRef(String name) implements DataSource {
        public SecretRef {
            Objects.requireNonNull(name, "name");
        }
    }

    /** {@code file:} a path on the proxy's file system. */
    record FileRef(String path) implements DataSource {
        public FileRef {
            Objects.requireNonNull(path, "path");
        }
    }
}
