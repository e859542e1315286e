package io.sallyport.core.relay;

import io.netty.channel.Channel;
import io.netty.util.NetUtil;
import io.sallyport.core.accesslog.AccessLog;
import io.sallyport.core.accesslog.ResponseFlag;
import io.sallyport.core.accesslog.TcpAccessLogEntry;
import io.sallyport.core.cluster.ClusterStats;
import io.sallyport.core.upstream.UpstreamConnection;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One proxied TCP connection: byte counts, response flags, and the end of its life. It ends when the
 * downstream channel is closed and the upstream one is closed or was never made; then it writes the
 * access log line, updates the listener meters and runs the end callback. Confined to the downstream
 * channel's event loop.
 */
public final class TcpProxySession {

    private final Channel downstream;
    private final TcpProxyTarget target;
    private final AccessLog accessLog;
    private final Runnable onEnd;
    private final Instant startTime = Instant.now();
    private final long startNanos = System.nanoTime();
    private final EnumSet<ResponseFlag> flags = EnumSet.noneOf(ResponseFlag.class);
    private UpstreamConnection upstream;
    private String transportFailureReason;
    private boolean connecting;
    private boolean downstreamClosed;
    private boolean upstreamClosed;
    private boolean ended;
    private long bytesReceived;
    private long bytesSent;
    /** {@link System#nanoTime()} of the last bytes read from or written to either side, for the idle timeout. */
    private long lastActivity = startNanos;
    private long idleNanos;
    private Runnable onIdle;
    private ScheduledFuture<?> idleCheck;

    TcpProxySession(Channel downstream, TcpProxyTarget target, AccessLog accessLog, Runnable onEnd) {
        this.downstream = downstream;
        this.target = target;
        this.accessLog = accessLog;
        this.onEnd = onEnd;
        target.listenerStats().cxTotal().increment();
        target.listenerStats().cxActive().increment();
        downstream.closeFuture().addListener(f -> {
            downstreamClosed = true;
            maybeEnd();
        });
    }

    void flag(ResponseFlag flag) {
        flags.add(flag);
    }

    /** Why the upstream transport (TLS) failed, for the access log; {@code null} for none. */
    void transportFailureReason(String reason) {
        transportFailureReason = reason;
    }

    void connecting(boolean value) {
        connecting = value;
        maybeEnd();
    }

    void upstreamConnected(UpstreamConnection connection) {
        this.upstream = connection;
        connection.channel().closeFuture().addListener(f -> {
            upstreamClosed = true;
            maybeEnd();
        });
    }

    /**
     * Runs {@code onIdle} once no byte was read from or written to either side for {@code idle} (Envoy's
     * TCP proxy {@code idle_timeout}). The check runs once per period, not per read: reads and writes only
     * note the time. Writes count because a slow reader can take longer than the timeout to drain what the
     * proxy already holds, with nothing left to read meanwhile.
     */
    void idleTimeout(Duration idle, Runnable onIdle) {
        this.idleNanos = idle.toNanos();
        this.onIdle = onIdle;
        lastActivity = System.nanoTime();
        scheduleIdleCheck(idleNanos);
    }

    private void scheduleIdleCheck(long delayNanos) {
        idleCheck = downstream.eventLoop().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void checkIdle() {
        if (ended) {
            return;
        }
        long idleFor = System.nanoTime() - lastActivity;
        if (idleFor >= idleNanos) {
            onIdle.run();
        } else {
            scheduleIdleCheck(idleNanos - idleFor);
        }
    }

    /** Bytes were read from or written to either side: the session is not idle. */
    void active() {
        if (idleNanos != 0) {
            lastActivity = System.nanoTime();
        }
    }

    /** Bytes read from the downstream client (and sent upstream). */
    void receivedFromDownstream(int n) {
        active();
        bytesReceived += n;
        ClusterStats s = target.cluster().stats();
        s.txBytes().add(n);
    }

    /** Bytes read from upstream (and sent to the downstream client). */
    void receivedFromUpstream(int n) {
        active();
        bytesSent += n;
        target.cluster().stats().rxBytes().add(n);
    }

    public long bytesReceived() {
        return bytesReceived;
    }

    public long bytesSent() {
        return bytesSent;
    }

    private void maybeEnd() {
        if (ended || !downstreamClosed || connecting || (upstream != null && !upstreamClosed)) {
            return;
        }
        ended = true;
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
        target.listenerStats().cxActive().decrement();
        target.listenerStats().cxDestroy().increment();
        if (onEnd != null) {
            onEnd.run();
        }
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        accessLog.log(new TcpAccessLogEntry(startTime, millis, flags, bytesReceived, bytesSent,
                upstream == null ? null : upstream.address().describe(),
                target.cluster() == null ? null : target.cluster().name(),
                describe(downstream.remoteAddress()), describe(downstream.localAddress()), target.listenerName(),
                transportFailureReason, target.downstreamPeer()));
    }

    private static String describe(SocketAddress a) {
        if (a instanceof InetSocketAddress in && in.getAddress() != null) {
            return NetUtil.toSocketAddressString(in);
        }
        return a == null ? null : a.toString();
    }
}
