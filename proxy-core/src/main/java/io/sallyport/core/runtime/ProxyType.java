package io.sallyport.core.runtime;

/** What this process is: a sidecar ({@code dataplane}) or a zone egress ({@code egress}). */
public enum ProxyType {
    DATAPLANE, EGRESS;

    /** The CLI spelling. */
    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
