package io.sallyport.tls;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.sallyport.core.metrics.Stats;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS counters of one cluster, under Envoy's names with the {@code envoy_cluster_name} tag. Create it
 * when the cluster is compiled; {@link #track} is cheap and runs on the connection's event loop.
 *
 * <ul>
 *   <li>{@value #HANDSHAKE}: handshakes that completed;</li>
 *   <li>{@value #CONNECTION_ERROR}: handshakes that failed, for any reason;</li>
 *   <li>{@value #FAIL_VERIFY_ERROR}: of those, the server chain was refused (expired, not yet valid,
 *       unknown CA);</li>
 *   <li>{@value #FAIL_VERIFY_SAN}: of those, the server certificate's SAN did not match.</li>
 * </ul>
 */
public final class UpstreamTlsStats {

    public static final String HANDSHAKE = "envoy_cluster_ssl_handshake";
    public static final String CONNECTION_ERROR = "envoy_cluster_ssl_connection_error";
    public static final String FAIL_VERIFY_ERROR = "envoy_cluster_ssl_fail_verify_error";
    public static final String FAIL_VERIFY_SAN = "envoy_cluster_ssl_fail_verify_san";
    public static final String CLUSTER_TAG = "envoy_cluster_name";

    private static final Logger log = LoggerFactory.getLogger(UpstreamTlsStats.class);

    private final String cluster;
    private final Stats.Counter handshake;
    private final Stats.Counter connectionError;
    private final Stats.Counter failVerifyError;
    private final Stats.Counter failVerifySan;

    public UpstreamTlsStats(Stats stats, String clusterName) {
        this.cluster = Objects.requireNonNull(clusterName, "clusterName");
        this.handshake = stats.counter(HANDSHAKE, CLUSTER_TAG, clusterName);
        this.connectionError = stats.counter(CONNECTION_ERROR, CLUSTER_TAG, clusterName);
        this.failVerifyError = stats.counter(FAIL_VERIFY_ERROR, CLUSTER_TAG, clusterName);
        this.failVerifySan = stats.counter(FAIL_VERIFY_SAN, CLUSTER_TAG, clusterName);
    }

    /** Counts a completed handshake. */
    public void handshakeSucceeded() {
        handshake.increment();
    }

    /** Counts a failed handshake under its reason. */
    public void handshakeFailed(TlsFailureReason reason) {
        connectionError.increment();
        if (reason == TlsFailureReason.SAN_MISMATCH) {
            failVerifySan.increment();
        } else if (reason.isVerification()) {
            failVerifyError.increment();
        }
    }

    /**
     * Counts the outcome of {@code handler}'s handshake when it completes and, on failure, logs one line
     * naming the reason. Returns the handshake future for the caller to wait on.
     *
     * @param endpoint the endpoint as it should appear in the log, e.g. {@code api.example.com:443}
     */
    public Future<Channel> track(SslHandler handler, String endpoint) {
        return track(handler, endpoint, -1);
    }

    /**
     * As {@link #track(SslHandler, String)} for the endpoint {@code host:port}, a name built only when
     * a failure is logged.
     */
    public Future<Channel> track(SslHandler handler, String host, int port) {
        Future<Channel> handshakeFuture = handler.handshakeFuture();
        handshakeFuture.addListener(f -> {
            if (f.isSuccess()) {
                handshakeSucceeded();
            } else {
                TlsFailureReason reason = TlsFailureReason.of(f.cause());
                handshakeFailed(reason);
                log.warn("upstream TLS handshake failed: cluster={} endpoint={} reason={}: {}",
                        cluster, port < 0 ? host : host + ":" + port, reason.logName(), rootMessage(f.cause()));
            }
        });
        return handshakeFuture;
    }

    /** The most specific message of a failure: ours when we refused the certificate, else the deepest. */
    static String rootMessage(Throwable failure) {
        String message = String.valueOf(failure);
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof UpstreamCertificateException) {
                return t.getMessage();
            }
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message;
    }
}
