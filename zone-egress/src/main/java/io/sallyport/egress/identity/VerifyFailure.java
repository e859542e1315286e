package io.sallyport.egress.identity;

/** Why a peer's mesh certificate was refused, as Envoy's listener SSL counters name it. */
public enum VerifyFailure {
    /** No client certificate ({@code ssl_fail_verify_no_cert}). */
    NO_CERT("envoy_listener_ssl_fail_verify_no_cert"),
    /** The chain does not lead to the mesh CA, or is expired ({@code ssl_fail_verify_error}). */
    CHAIN("envoy_listener_ssl_fail_verify_error"),
    /** No acceptable {@code spiffe://} URI SAN ({@code ssl_fail_verify_san}). */
    SAN("envoy_listener_ssl_fail_verify_san");

    private final String metric;

    VerifyFailure(String metric) {
        this.metric = metric;
    }

    /** The listener counter this failure is counted in. */
    public String metric() {
        return metric;
    }
}
