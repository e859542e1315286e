package io.sallyport.core.config;

import java.util.Locale;

/** Application protocols of {@code MeshExternalService.match.protocol} and MeshPassthrough matches. */
public enum Protocol {
    TCP, TLS, HTTP, HTTP2, GRPC;

    /** The lower-case name as written in YAML. */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True for protocols routed per request by an HTTP connection manager. */
    public boolean isHttp() {
        return this == HTTP || this == HTTP2 || this == GRPC;
    }

    /** Parses the YAML name; {@code null} when unknown. */
    public static Protocol fromYaml(String s) {
        for (Protocol p : values()) {
            if (p.yamlName().equals(s)) {
                return p;
            }
        }
        return null;
    }
}
