package io.sallyport.core.config;

/**
 * A Kuma {@code ZoneEgress}: in egress mode, the listener this process binds; in sidecar mode, where MES
 * traffic goes when the mesh routes through the egress. {@code adminPort} is {@code null} when not set.
 */
public record ZoneEgress(ResourceMeta meta, String address, int port, Integer adminPort) implements Resource {
}
