package io.sallyport.egress.identity;

import io.netty.handler.codec.http.HttpMethod;
import io.sallyport.core.admin.AdminResponse;
import io.sallyport.core.admin.AdminRoutes;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the admin API shows of the mesh identity: subjects, SPIFFE IDs, serials and validity of the
 * identity chain and the mesh CA, never a key. Served as {@code GET /certs} and as the
 * {@code certificates} section of {@code /config_dump}.
 */
public final class CertificatesView {

    private CertificatesView() {
    }

    /** Registers {@code /certs} and the {@code /config_dump} section for {@code identity}. */
    public static void register(AdminRoutes routes, MeshIdentity identity) {
        routes.register(HttpMethod.GET, "/certs", req -> {
            try {
                return AdminResponse.json(new com.fasterxml.jackson.databind.ObjectMapper()
                        .writerWithDefaultPrettyPrinter().writeValueAsString(describe(identity)) + "\n");
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        });
        routes.configDumpSection("certificates", () -> describe(identity));
    }

    /** The identity in force as plain maps (for JSON). */
    public static Map<String, Object> describe(MeshIdentity identity) {
        MeshIdentity.Material m = identity.current();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("spiffe_id", m.spiffeId().uri());
        out.put("loaded_at", m.loadedAt().toString());
        out.put("reloads", identity.reloads());
        out.put("reload_failures", identity.reloadFailures());
        out.put("identity_chain", certificates(m.chain()));
        out.put("mesh_ca", certificates(m.ca()));
        return out;
    }

    private static List<Map<String, Object>> certificates(List<X509Certificate> certs) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (X509Certificate c : certs) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("subject", c.getSubjectX500Principal().getName());
            e.put("issuer", c.getIssuerX500Principal().getName());
            e.put("serial_number", c.getSerialNumber().toString(16));
            e.put("uri_sans", SpiffeId.uriSans(c));
            e.put("valid_from", c.getNotBefore().toInstant().toString());
            e.put("expiration_time", c.getNotAfter().toInstant().toString());
            e.put("days_until_expiration",
                    java.time.Duration.between(java.time.Instant.now(), c.getNotAfter().toInstant()).toDays());
            out.add(e);
        }
        return out;
    }
}
