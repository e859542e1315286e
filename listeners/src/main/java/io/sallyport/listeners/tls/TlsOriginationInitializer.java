package io.sallyport.listeners.tls;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.sallyport.core.cluster.Endpoint;
import io.sallyport.core.cluster.EndpointAddress;
import io.sallyport.core.cluster.UpstreamChannelInitializer;
import io.sallyport.core.cluster.UpstreamTransportException;
import io.sallyport.tls.TlsFailureReason;
import io.sallyport.tls.UpstreamTlsContext;
import io.sallyport.tls.UpstreamTlsStats;
import java.util.Objects;

/**
 * Starts TLS on one cluster's freshly connected upstream channels: adds the {@link SslHandler} (SNI =
 * {@code serverName}, else the endpoint's DNS name, none for IP endpoints) and an
 * {@link UpstreamTlsReadHold} behind it, and returns a future that succeeds with the handshake.
 *
 * <p>A failed handshake fails the future with an {@link UpstreamTransportException} naming the
 * {@link TlsFailureReason} (for the access log); it is non-retryable when the server's certificate was
 * refused, so the connector does not try the next endpoint. The failure is counted and logged once, by
 * {@link UpstreamTlsStats#track}. A context that refuses in advance (no CA to verify against) still runs
 * the handshake, which fails as {@code unknown_ca} with that reason in the log line.
 */
public final class TlsOriginationInitializer implements UpstreamChannelInitializer {

    /** The name of the upstream pipeline's {@link SslHandler}. */
    public static final String SSL_HANDLER = "upstream-tls";
    static final String READ_HOLD = "upstream-tls-read-hold";

    private final String cluster;
    private final UpstreamTlsContext context;
    private final UpstreamTlsStats stats;

    /** @param cluster the cluster's name, for log lines */
    public TlsOriginationInitializer(String cluster, UpstreamTlsContext context, UpstreamTlsStats stats) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.context = Objects.requireNonNull(context, "context");
        this.stats = Objects.requireNonNull(stats, "stats");
    }

    public UpstreamTlsContext context() {
        return context;
    }

    @Override
    public Future<?> initialize(Channel channel, EndpointAddress target) {
        Endpoint endpoint = target.endpoint();
        // Unix endpoints have no name: without serverName the SAN check (in modes that make it) fails.
        String host = endpoint instanceof Endpoint.UnixPath ? endpoint.describe() : target.hostname();
        int port = endpoint instanceof Endpoint.Ip ip ? ip.port()
                : endpoint instanceof Endpoint.DnsName dns ? dns.port() : -1;
        SslHandler ssl = context.newHandler(channel.alloc(), host, port);
        // The hold goes in first: the handshake starts as soon as the SslHandler is added.
        String label = label(target);
        UpstreamTlsReadHold hold = new UpstreamTlsReadHold(cluster, label);
        channel.pipeline().addLast(READ_HOLD, hold);
        channel.pipeline().addBefore(READ_HOLD, SSL_HANDLER, ssl);
        Promise<Void> ready = channel.eventLoop().newPromise();
        stats.track(ssl, label).addListener(f -> {
            if (f.isSuccess()) {
                ready.trySuccess(null);
                // Whoever waited on "ready" has installed the relay when this task runs.
                channel.eventLoop().execute(hold::release);
            } else {
                TlsFailureReason reason = TlsFailureReason.of(f.cause());
                ready.tryFailure(new UpstreamTransportException(reason.logName(), !reason.isVerification(),
                        "TLS handshake failed (" + reason.logName() + "): " + f.cause().getMessage(), f.cause()));
            }
        });
        return ready;
    }

    /** {@code api.example.com:443 (203.0.113.7:443)} for DNS endpoints, else the address. */
    private static String label(EndpointAddress target) {
        return target.endpoint() instanceof Endpoint.DnsName dns
                ? dns.describe() + " (" + target.describe() + ")" : target.describe();
    }
}
