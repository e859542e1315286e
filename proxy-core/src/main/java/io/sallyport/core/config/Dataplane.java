package io.sallyport.core.config;

import java.util.List;
import java.util.Objects;

/**
 * A Kuma {@code Dataplane}: the sidecar's identity and its outbound listeners. {@code adminPort} and
 * {@code redirectPortOutbound} are {@code null} when not set.
 */
public record Dataplane(
        ResourceMeta meta, String address, List<Outbound> outbounds, Integer adminPort,
        TransparentProxying transparentProxying, List<Inbound> inbounds) implements Resource {

    public Dataplane {
        outbounds = List.copyOf(outbounds);
        inbounds = List.copyOf(inbounds);
    }

    /** {@code networking.outbound[]}: bound on {@code address} (default 127.0.0.1) : {@code port}. */
    public record Outbound(String address, int port, BackendRef backendRef) {
        public static final String DEFAULT_ADDRESS = "127.0.0.1";

        public Outbound {
            address = address == null || address.isEmpty() ? DEFAULT_ADDRESS : address;
            Objects.requireNonNull(backendRef, "backendRef");
        }
    }

    /** {@code backendRef}: Sallyport serves {@code kind: MeshExternalService}. */
    public record BackendRef(String kind, String name, Integer port) {
        public BackendRef {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
        }
    }

    /** {@code networking.inbound[]}: kept for identity ({@code kuma.io/service} tag). */
    public record Inbound(int port, java.util.Map<String, String> tags) {
        public Inbound {
            tags = java.util.Map.copyOf(tags);
        }
    }

    /** {@code networking.transparentProxying}; {@code redirectPortOutbound} defaults to 15001. */
    public record TransparentProxying(int redirectPortOutbound) {
        public static final int DEFAULT_REDIRECT_PORT_OUTBOUND = 15001;
    }

    /** The {@code kuma.io/service} tag of the first inbound that has one, else the dataplane's name. */
    public String serviceName() {
        for (Inbound in : inbounds) {
            String s = in.tags().get("kuma.io/service");
            if (s != null) {
                return s;
            }
        }
        return meta.name();
    }
}
