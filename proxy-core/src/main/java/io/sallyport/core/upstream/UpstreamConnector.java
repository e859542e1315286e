package io.sallyport.core.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollInterestPin;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.sallyport.core.accesslog.ResponseFlag;
import io.sallyport.core.cluster.Cluster;
import io.sallyport.core.cluster.ClusterStats;
import io.sallyport.core.cluster.Endpoint;
import io.sallyport.core.cluster.EndpointAddress;
import io.sallyport.core.cluster.EndpointResolver;
import io.sallyport.core.cluster.EndpointSelector;
import io.sallyport.core.cluster.UpstreamChannelInitializer;
import io.sallyport.core.cluster.UpstreamTransportException;
import io.sallyport.core.transport.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Opens upstream connections for a cluster on a given event loop (the downstream channel's, so the relay
 * needs no locks). Endpoints are tried in the order of the cluster's {@link EndpointSelector} plan; a
 * failed or timed-out connect moves on to the next one, up to the cluster's attempt bound, except after a
 * non-retryable {@link UpstreamTransportException} from the channel initializer (a refused server
 * certificate), which ends the connect at once. Unix
 * endpoints use domain socket channels of the same transport.
 *
 * <p>Counts, per cluster: {@code upstream_cx_total} for every connect attempt,
 * {@code upstream_cx_connect_fail} for every failed one (and {@code upstream_cx_connect_timeout} when it
 * timed out), {@code upstream_cx_none_healthy} when there was nothing to try, and
 * {@code upstream_cx_active} / {@code upstream_cx_destroy} over the connection's life.
 *
 * <p>Connections are opened with auto-read off and half-closure allowed; the caller installs the relay.
 * A connector made with a socket mark sets {@code SO_MARK} on every upstream TCP socket (epoll only),
 * so iptables rules that intercept traffic for the transparent listener can exclude the proxy's own
 * connections ({@code -m mark ! --mark <mark>}).
 */
public final class UpstreamConnector {

    @ChannelHandler.Sharable
    private static final class NoopInitializer extends ChannelInitializer<Channel> {
        @Override
        protected void initChannel(Channel ch) {
            // Handlers are added once the connection is established.
        }
    }

    private static final ChannelHandler NOOP = new NoopInitializer();

    /** Linux {@code setsockopt(SOL_SOCKET (1), SO_MARK (36))}: Netty's epoll options have no named one. */
    private static final ChannelOption<Integer> SO_MARK =
            new io.netty.channel.unix.IntegerUnixChannelOption("SO_MARK", 1, 36);

    private final Transport transport;
    private final EndpointResolver resolver;
    private final int socketMark;

    public UpstreamConnector(Transport transport, EndpointResolver resolver) {
        this(transport, resolver, 0);
    }

    /**
     * @param socketMark the {@code SO_MARK} of upstream TCP sockets, 0 for none; needs the epoll
     *                   transport and {@code CAP_NET_ADMIN}
     * @throws IllegalArgumentException when a mark is asked for without the epoll transport
     */
    public UpstreamConnector(Transport transport, EndpointResolver resolver, int socketMark) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        if (socketMark != 0 && !transport.isEpoll()) {
            throw new IllegalArgumentException("socketMark needs the epoll transport, not " + transport);
        }
        this.socketMark = socketMark;
    }

    /** The resolver of DNS endpoints (shared with the HTTP connection pools). */
    public EndpointResolver resolver() {
        return resolver;
    }

    /** The {@code SO_MARK} set on upstream TCP sockets, 0 for none. */
    public int socketMark() {
        return socketMark;
    }

    /**
     * Connects to {@code cluster} on {@code loop}. The returned promise completes on {@code loop} with
     * the connection, or fails with an {@link UpstreamConnectException}. Cancelling it stops the attempts
     * and closes any connection that is still being set up.
     */
    public Promise<UpstreamConnection> connect(Cluster cluster, EventLoop loop) {
        Promise<UpstreamConnection> promise = loop.newPromise();
        Attempts attempts = new Attempts(cluster, loop, promise);
        if (loop.inEventLoop()) {
            attempts.next();
        } else {
            loop.execute(attempts::next);
        }
        return promise;
    }

    /** The state of one connect, confined to its event loop. */
    private final class Attempts {
        private final Cluster cluster;
        private final ClusterStats stats;
        private final EventLoop loop;
        private final Promise<UpstreamConnection> promise;
        private final EndpointSelector.Plan plan;
        private final ArrayDeque<EndpointAddress> resolved = new ArrayDeque<>(2);
        private int connectsTried;
        private Throwable lastFailure;
        private ChannelFuture inFlight;
        /** A connected channel whose initializer (handshake) has not finished yet. */
        private Channel settingUp;
        private long attemptDeadline;

        Attempts(Cluster cluster, EventLoop loop, Promise<UpstreamConnection> promise) {
            this.cluster = cluster;
            this.stats = cluster.stats();
            this.loop = loop;
            this.promise = promise;
            this.plan = cluster.selector().plan();
            promise.addListener(f -> {
                if (f.isCancelled()) {
                    if (inFlight != null) {
                        inFlight.cancel(false);
                        inFlight.channel().close();
                    }
                    if (settingUp != null) {
                        settingUp.close();
                    }
                }
            });
        }

        void next() {
            if (promise.isDone()) {
                return;
            }
            EndpointAddress address = resolved.poll();
            if (address != null) {
                connectTo(address);
                return;
            }
            Endpoint endpoint = plan.next();
            if (endpoint == null) {
                giveUp();
                return;
            }
            if (endpoint instanceof Endpoint.Ip ip) {
                connectTo(new EndpointAddress(ip, new InetSocketAddress(ip.address(), ip.port())));
            } else if (endpoint instanceof Endpoint.UnixPath unix) {
                connectTo(new EndpointAddress(unix, transport.domainSocketAddress(unix.path())));
            } else {
                Endpoint.DnsName dns = (Endpoint.DnsName) endpoint;
                resolver.resolveAll(dns.hostname(), loop).addListener((Future<List<InetAddress>> f) -> {
                    if (f.isSuccess()) {
                        // Each resolved address is tried in turn before the plan moves on, within the bound.
                        int room = cluster.spec().maxConnectAttempts();
                        for (InetAddress a : f.getNow()) {
                            if (room-- == 0) {
                                break;
                            }
                            resolved.add(new EndpointAddress(dns, new InetSocketAddress(a, dns.port())));
                        }
                    } else {
                        lastFailure = f.cause();
                    }
                    next();
                });
            }
        }

        private void connectTo(EndpointAddress address) {
            connectsTried++;
            stats.cxTotal().increment();
            boolean unix = address.endpoint() instanceof Endpoint.UnixPath;
            Bootstrap b = new Bootstrap()
                    .group(loop)
                    .channelFactory(unix ? transport.domainSocketChannelFactory() : transport.socketChannelFactory())
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                            (int) Math.min(Integer.MAX_VALUE, cluster.spec().connectTimeout().toMillis()))
                    .handler(NOOP);
            if (!unix) {
                b.option(ChannelOption.TCP_NODELAY, true);
                if (socketMark != 0) {
                    b.option(SO_MARK, socketMark);
                }
            }
            attemptDeadline = System.nanoTime() + cluster.spec().connectTimeout().toNanos();
            ChannelFuture cf = b.connect(address.address());
            inFlight = cf;
            cf.addListener((ChannelFuture f) -> connected(f, address));
        }

        private void connected(ChannelFuture f, EndpointAddress address) {
            inFlight = null;
            if (!f.isSuccess()) {
                if (f.isCancelled()) {
                    return;
                }
                stats.connectFail().increment();
                if (f.cause() instanceof ConnectTimeoutException) {
                    stats.connectTimeout().increment();
                }
                lastFailure = f.cause();
                next();
                return;
            }
            Channel ch = f.channel();
            // Before the upstream can half-close: it must stay writable then (see the pin).
            EpollInterestPin.pin(ch);
            stats.cxActive().increment();
            ch.closeFuture().addListener(c -> {
                stats.cxActive().decrement();
                stats.cxDestroy().increment();
            });
            if (promise.isDone()) {
                ch.close();
                return;
            }
            UpstreamChannelInitializer init = cluster.initializer();
            if (init == null) {
                ready(ch, address);
                return;
            }
            Future<?> initialized;
            try {
                initialized = init.initialize(ch, address);
            } catch (RuntimeException e) {
                initFailed(ch, address, e);
                return;
            }
            if (initialized.isDone()) {
                initDone(ch, address, initialized);
                return;
            }
            settingUp = ch;
            // Like Envoy, the connect timeout covers the handshake: the connection is not up before it.
            long left = Math.max(0, attemptDeadline - System.nanoTime());
            io.netty.util.concurrent.ScheduledFuture<?> timer = loop.schedule(() -> {
                if (!initialized.isDone()) {
                    stats.connectTimeout().increment();
                    initialized.cancel(false);
                }
            }, left, TimeUnit.NANOSECONDS);
            initialized.addListener(g -> {
                timer.cancel(false);
                initDone(ch, address, g);
            });
        }

        private void initDone(Channel ch, EndpointAddress address, Future<?> initialized) {
            settingUp = null;
            if (initialized.isSuccess()) {
                ready(ch, address);
            } else {
                initFailed(ch, address, initialized.isCancelled()
                        ? new ConnectTimeoutException("upstream initialization timed out: " + address.describe())
                        : initialized.cause());
            }
        }

        private void initFailed(Channel ch, EndpointAddress address, Throwable cause) {
            stats.connectFail().increment();
            lastFailure = cause;
            ch.close();
            UpstreamTransportException transport = UpstreamTransportException.find(cause);
            if (transport != null && !transport.retryable()) {
                // The endpoint answered and was refused (e.g. its certificate): another one is no better.
                promise.tryFailure(new UpstreamConnectException(ResponseFlag.UF,
                        "upstream " + address.describe() + " of cluster " + cluster.name() + " refused: "
                                + transport.getMessage(), cause));
                return;
            }
            next();
        }

        private void ready(Channel ch, EndpointAddress address) {
            if (!ch.isActive() || !promise.trySuccess(new UpstreamConnection(ch, address))) {
                ch.close();
                if (!promise.isDone()) {
                    lastFailure = new java.nio.channels.ClosedChannelException();
                    next();
                }
            }
        }

        private void giveUp() {
            if (connectsTried == 0) {
                stats.noneHealthy().increment();
                promise.tryFailure(new UpstreamConnectException(ResponseFlag.UH,
                        "no reachable endpoint in cluster " + cluster.name()
                                + (lastFailure == null ? "" : ": " + lastFailure.getMessage()), lastFailure));
            } else {
                promise.tryFailure(new UpstreamConnectException(ResponseFlag.UF,
                        connectsTried + " connect attempt(s) to cluster " + cluster.name() + " failed"
                                + (lastFailure == null ? "" : ": " + lastFailure.getMessage()), lastFailure));
            }
        }
    }
}
