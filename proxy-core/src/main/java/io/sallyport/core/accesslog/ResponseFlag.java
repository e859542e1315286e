package io.sallyport.core.accesslog;

/** Envoy's response flags that a connection or request can end with; {@link #code()} is the short form. */
public enum ResponseFlag {
    /** No healthy upstream: the cluster has no endpoint to try (e.g. a DNS name that does not resolve). */
    UH,
    /** Upstream connection failure: every connect attempt failed or timed out. */
    UF,
    /** Upstream overflow (circuit breaking). */
    UO,
    /** No route / no matching filter chain; also used when the Mesh forbids access to the service. */
    NR,
    /** Upstream request timeout. */
    UT,
    /** Downstream connection termination before the upstream connection was established. */
    DC,
    /** Upstream connection termination. */
    UC,
    /** Stream idle timeout. */
    SI;

    public String code() {
        return name();
    }
}
