package io.sallyport.egress.sni;

import io.sallyport.core.config.MeshExternalService;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Kuma's SNI for a MeshExternalService, the name a sidecar sends to a zone egress:
 * {@code a<16 hex of fnv64a("<name>;<mesh>;")>.<name>.<port>.<mesh>.mes}. The hash is over the full
 * names; in the labels, a name or mesh longer than 62 characters is cut to 62 and marked with {@code x}
 * (Kuma's {@code tls.SNIForResource} with no additional data), so Sallyport and Kuma's Envoy sidecars and
 * egresses agree on the wire.
 */
public final class KumaSni {

    /** Kuma's SNI format version, the first character. */
    public static final String FORMAT_VERSION = "a";
    /** The resource type label of a MeshExternalService. */
    public static final String MES_TYPE = "mes";

    private static final int LABEL_LIMIT = 63;
    private static final long FNV64_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV64_PRIME = 0x100000001b3L;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private KumaSni() {
    }

    /** The SNI of {@code mes}: its display name, its mesh and its {@code match.port}. */
    public static String of(MeshExternalService mes) {
        Objects.requireNonNull(mes, "mes");
        return forMeshExternalService(mes.meta().displayName(), mes.meta().mesh(), mes.match().port());
    }

    /** The SNI of a MeshExternalService named {@code displayName} in {@code mesh} on {@code port}. */
    public static String forMeshExternalService(String displayName, String mesh, int port) {
        return forResource(displayName, mesh, MES_TYPE, port);
    }

    /** Kuma's format for any resource type abbreviation ({@code ms}, {@code mes}, {@code mzms}). */
    static String forResource(String name, String mesh, String typeAbbreviation, int port) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mesh, "mesh");
        long hash = fnv64a((name + ";" + mesh + ";").getBytes(StandardCharsets.UTF_8));
        StringBuilder sb = new StringBuilder(40 + name.length() + mesh.length()).append(FORMAT_VERSION);
        for (int shift = 60; shift >= 0; shift -= 4) {
            sb.append(HEX[(int) (hash >>> shift) & 0xf]);
        }
        return sb.append('.').append(label(name)).append('.').append(port).append('.').append(label(mesh))
                .append('.').append(typeAbbreviation).toString();
    }

    /** FNV-1a, 64 bits. */
    static long fnv64a(byte[] data) {
        long h = FNV64_OFFSET;
        for (byte b : data) {
            h ^= b & 0xff;
            h *= FNV64_PRIME;
        }
        return h;
    }

    private static String label(String s) {
        return s.length() > LABEL_LIMIT - 1 ? s.substring(0, LABEL_LIMIT - 1) + "x" : s;
    }
}
