package io.sallyport.egress.identity;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

/**
 * A SPIFFE ID as Kuma issues them: {@code spiffe://<mesh>/<service>}. The caller's {@code kuma.io/service}
 * is the last path segment.
 */
public record SpiffeId(String uri, String mesh, String service) {

    private static final String SCHEME = "spiffe://";
    private static final int URI_SAN = 6;

    /** The SPIFFE ID in {@code uri}, or {@code null} when it is not {@code spiffe://<trust domain>/<path>}. */
    public static SpiffeId parse(String uri) {
        if (uri == null || !uri.startsWith(SCHEME)) {
            return null;
        }
        int slash = uri.indexOf('/', SCHEME.length());
        if (slash <= SCHEME.length() || slash == uri.length() - 1) {
            return null;
        }
        String mesh = uri.substring(SCHEME.length(), slash);
        String path = uri.substring(slash + 1);
        String service = path.substring(path.lastIndexOf('/') + 1);
        if (service.isEmpty()) {
            return null;
        }
        return new SpiffeId(uri, mesh, service);
    }

    /** The first {@code spiffe://} URI SAN of {@code certificate} that parses, or {@code null}. */
    public static SpiffeId of(X509Certificate certificate) {
        for (String uri : uriSans(certificate)) {
            SpiffeId id = parse(uri);
            if (id != null) {
                return id;
            }
        }
        return null;
    }

    /** Every URI SAN of {@code certificate}. */
    public static List<String> uriSans(X509Certificate certificate) {
        Collection<List<?>> sans;
        try {
            sans = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return List.of();
        }
        if (sans == null) {
            return List.of();
        }
        return sans.stream().filter(s -> s.size() >= 2 && Integer.valueOf(URI_SAN).equals(s.get(0)))
                .map(s -> String.valueOf(s.get(1))).toList();
    }

    /** The zone egress's identity in {@code mesh}. */
    public static String zoneEgress(String mesh) {
        return SCHEME + mesh + "/zone-egress";
    }

    @Override
    public String toString() {
        return uri;
    }
}
