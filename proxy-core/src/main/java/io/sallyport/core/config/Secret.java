package io.sallyport.core.config;

/**
 * A Kuma {@code Secret}: opaque bytes referenced by {@code secret:} data sources. Universal form keeps
 * them in {@code data}; Kubernetes form ({@code type: system.kuma.io/secret}) in {@code data.value}.
 */
public record Secret(ResourceMeta meta, byte[] data) implements Resource {

    public Secret {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public String toString() {
        return "Secret[" + meta.ref() + ", " + data.length + " bytes]";
    }
}
