package io.sallyport.core.http;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Opens one upstream connection for a pool: the raw connect from the {@link UpstreamChannelSource}, then
 * TLS (with ALPN) when the endpoint has it, all within the connection timeout.
 */
final class PoolConnectionOpener {

    private final UpstreamChannelSource source;
    private final Duration connectTimeout;
    private final List<String> alpn;

    PoolConnectionOpener(UpstreamChannelSource source, Duration connectTimeout, List<String> alpn) {
        this.source = source;
        this.connectTimeout = connectTimeout;
        this.alpn = alpn;
    }

    /** Completes with the connected channel; its TLS handshake (if any) is done and its ALPN checked. */
    Future<Channel> connect(UpstreamEndpoint endpoint, EventLoop loop) {
        Promise<Channel> promise = loop.newPromise();
        ScheduledFuture<?> timer = connectTimeout.isZero() ? null : loop.schedule(
                () -> promise.tryFailure(new ConnectException("connection timeout " + connectTimeout.toMillis()
                        + " ms to " + endpoint.describe())),
                connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
        if (timer != null) {
            promise.addListener(f -> timer.cancel(false));
        }
        Future<Channel> raw;
        try {
            raw = source.connect(endpoint, loop, connectTimeout);
        } catch (RuntimeException e) {
            promise.tryFailure(e);
            return promise;
        }
        raw.addListener(f -> {
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
                return;
            }
            Channel ch = raw.getNow();
            if (promise.isDone()) {
                ch.close();
                return;
            }
            if (endpoint.tls() == null) {
                promise.trySuccess(ch);
                return;
            }
            SslHandler ssl;
            try {
                ssl = endpoint.tls().newHandler(ch.alloc(), endpoint.host(), endpoint.port(), alpn);
            } catch (RuntimeException e) {
                ch.close();
                promise.tryFailure(e);
                return;
            }
            if (!connectTimeout.isZero()) {
                ssl.setHandshakeTimeoutMillis(connectTimeout.toMillis());
            }
            ch.pipeline().addLast("tls", ssl);
            // A failed handshake is reported through its future; keep its exception off the pipeline tail.
            ch.pipeline().addLast("tls-failure", new io.netty.channel.ChannelInboundHandlerAdapter() {
                @Override
                public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
                    ctx.close();
                }
            });
            // The handshake needs reads even though the channel keeps AUTO_READ off for the exchange.
            ch.config().setAutoRead(true);
            ssl.handshakeFuture().addListener(h -> {
                ch.config().setAutoRead(false);
                if (h.isSuccess() && ch.pipeline().get("tls-failure") != null) {
                    ch.pipeline().remove("tls-failure");
                }
                if (!h.isSuccess()) {
                    ch.close();
                    promise.tryFailure(h.cause());
                } else if (!promise.trySuccess(ch)) {
                    ch.close();
                }
            });
        });
        promise.addListener(f -> {
            if (!f.isSuccess() && raw.isSuccess()) {
                raw.getNow().close();
            }
        });
        return promise;
    }
}
