package io.sallyport.core.admin;

/**
 * The process's lifecycle state as Envoy reports it ({@code envoy_server_state}: LIVE 0, DRAINING 1,
 * PRE_INITIALIZING 2). {@code /ready} answers 200 only when LIVE.
 */
public enum ServerState {
    LIVE(0), DRAINING(1), PRE_INITIALIZING(2);

    private final int envoyCode;

    ServerState(int envoyCode) {
        this.envoyCode = envoyCode;
    }

    /** The value of Envoy's {@code envoy_server_state} gauge. */
    public int envoyCode() {
        return envoyCode;
    }
}
