package io.sallyport.core.config;

/**
 * A Kuma {@code Mesh}: the switches Sallyport honours. {@code mtlsEnabledBackend} is {@code null} when
 * mTLS is off.
 */
public record Mesh(
        ResourceMeta meta, boolean defaultForbidMeshExternalServiceAccess, boolean zoneEgress,
        String mtlsEnabledBackend) implements Resource {

    /** True when the mesh has an enabled mTLS backend. */
    public boolean mtlsEnabled() {
        return mtlsEnabledBackend != null && !mtlsEnabledBackend.isEmpty();
    }
}
