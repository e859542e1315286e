package io.sallyport.core.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback origin for the HTTP tests, HTTP/1.1 or h2c (prior knowledge). Paths:
 * {@code /headers} (request headers as the body), {@code /bytes/N} (N deterministic bytes, streamed with
 * backpressure), {@code /sink} (consumes the body, answers its length and SHA-256), {@code /echo}
 * (streams the body back), {@code /delay/MS}, {@code /status/CODE}, {@code /nolength} (HTTP/1.0-style
 * close-delimited body), {@code /malformed} (a broken status line), {@code /cut} (promises 1000 bytes,
 * sends 10, closes), {@code /trailers} (a body then trailers). Counts accepted connections.
 */
final class TestOrigin implements AutoCloseable {

    final AtomicInteger connections = new AtomicInteger();
    /** Released once per connection the origin sees closed. */
    final java.util.concurrent.Semaphore closes = new java.util.concurrent.Semaphore(0);
    final Map<String, String> lastHeaders = new ConcurrentHashMap<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final boolean http2;

    TestOrigin(boolean http2) throws InterruptedException {
        this(http2, 100);
    }

    TestOrigin(boolean http2, int maxConcurrentStreams) throws InterruptedException {
        this.http2 = http2;
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        ch.closeFuture().addListener(f -> closes.release());
                        if (http2) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer()
                                    .initialSettings(Http2Settings.defaultSettings()
                                            .maxConcurrentStreams(maxConcurrentStreams)).build());
                            ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                @Override
                                protected void initChannel(Http2StreamChannel s) {
                                    s.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), new OriginHandler(true));
                                }
                            }));
                        } else {
                            ch.pipeline().addLast(new HttpServerCodec(8192, 96 * 1024, 8192), new OriginHandler(false));
                        }
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    UpstreamEndpoint endpoint() {
        return UpstreamEndpoint.plain(new InetSocketAddress("127.0.0.1", port()));
    }

    /** One period of the deterministic content (it repeats every 64 KiB). */
    private static final byte[] PATTERN = new byte[65536];

    static {
        for (int i = 0; i < PATTERN.length; i++) {
            PATTERN[i] = byteAt(i);
        }
    }

    /** Deterministic content: byte i of any /bytes body. */
    static byte byteAt(long i) {
        return (byte) ((i * 31 + (i >>> 8)) & 0xff);
    }

    /** SHA-256 of the first n bytes of deterministic content. */
    static String sha256Of(long n) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] block = new byte[64 * 1024];
        for (long off = 0; off < n; off += block.length) {
            int len = (int) Math.min(block.length, n - off);
            for (int i = 0; i < len; i++) {
                block[i] = byteAt(off + i);
            }
            md.update(block, 0, len);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class OriginHandler extends ChannelInboundHandlerAdapter {
        private final boolean h2;
        private String path;
        private MessageDigest digest;
        private long received;
        private boolean echo;

        OriginHandler(boolean h2) {
            this.h2 = h2;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (!(msg instanceof HttpObject)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpRequest req) {
                path = req.uri();
                lastHeaders.clear();
                req.headers().forEach(e -> lastHeaders.merge(e.getKey().toLowerCase(), e.getValue(), (a, b) -> a + "," + b));
                digest = MessageDigest.getInstance("SHA-256");
                received = 0;
                echo = path.equals("/echo");
                if (echo) {
                    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    HttpUtil.setTransferEncodingChunked(r, true);
                    ctx.writeAndFlush(r);
                }
            }
            if (msg instanceof HttpContent c) {
                received += c.content().readableBytes();
                if (echo) {
                    ctx.writeAndFlush(msg instanceof LastHttpContent
                            ? new DefaultLastHttpContent(c.content().retain())
                            : new DefaultHttpContent(c.content().retain()));
                } else {
                    digest.update(c.content().nioBuffer());
                }
                c.release();
                if (msg instanceof LastHttpContent && !echo) {
                    respond(ctx);
                }
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        private void respond(ChannelHandlerContext ctx) {
            String p = path;
            if (p.startsWith("/headers")) {
                StringBuilder b = new StringBuilder();
                lastHeaders.forEach((k, v) -> b.append(k).append(": ").append(v).append('\n'));
                text(ctx, HttpResponseStatus.OK, b.toString());
            } else if (p.startsWith("/bytes/")) {
                long n = Long.parseLong(p.substring(7));
                HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setContentLength(r, n);
                ctx.write(r);
                new Streamer(ctx, n).run();
            } else if (p.startsWith("/sink")) {
                text(ctx, HttpResponseStatus.OK, received + " " + HexFormat.of().formatHex(digest.digest()));
            } else if (p.startsWith("/delay/")) {
                long ms = Long.parseLong(p.substring(7));
                ctx.executor().schedule(() -> text(ctx, HttpResponseStatus.OK, "delayed " + ms), ms, TimeUnit.MILLISECONDS);
            } else if (p.startsWith("/drip/")) {
                // N one-byte chunks 100 ms apart: an origin that is slow but never idle for long.
                int n = Integer.parseInt(p.substring(6));
                HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setTransferEncodingChunked(r, true);
                ctx.writeAndFlush(r);
                drip(ctx, n);
            } else if (p.startsWith("/status/")) {
                text(ctx, HttpResponseStatus.valueOf(Integer.parseInt(p.substring(8))), "status");
            } else if (p.equals("/nolength") && !h2) {
                HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_0, HttpResponseStatus.OK);
                ctx.write(r);
                ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.copiedBuffer("until close", StandardCharsets.US_ASCII)))
                        .addListener(ChannelFutureListener.CLOSE);
            } else if (p.equals("/malformed") && !h2) {
                ctx.pipeline().firstContext().writeAndFlush(Unpooled.copiedBuffer("HTTP/1.1 OK-ish\r\nbroken\r\n\r\n",
                        StandardCharsets.US_ASCII)).addListener(ChannelFutureListener.CLOSE);
            } else if (p.equals("/cut")) {
                HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setContentLength(r, 1000);
                ctx.write(r);
                ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("0123456789", StandardCharsets.US_ASCII)))
                        .addListener(f -> {
                            if (h2) {
                                ctx.channel().close(); // RST_STREAM
                            } else {
                                ctx.channel().close();
                            }
                        });
            } else if (p.equals("/trailers")) {
                HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setTransferEncodingChunked(r, true);
                ctx.write(r);
                DefaultLastHttpContent last = new DefaultLastHttpContent(
                        Unpooled.copiedBuffer("body", StandardCharsets.US_ASCII));
                last.trailingHeaders().set("x-trailer", "yes");
                ctx.writeAndFlush(last);
            } else {
                text(ctx, HttpResponseStatus.OK, "hello from origin");
            }
        }

        private static void drip(ChannelHandlerContext ctx, int left) {
            ctx.executor().schedule(() -> {
                ByteBuf b = Unpooled.copiedBuffer("x", StandardCharsets.US_ASCII);
                ctx.writeAndFlush(left == 1 ? new DefaultLastHttpContent(b) : new DefaultHttpContent(b));
                if (left > 1) {
                    drip(ctx, left - 1);
                }
            }, 100, TimeUnit.MILLISECONDS);
        }

        private void text(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            HttpUtil.setContentLength(r, r.content().readableBytes());
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
            r.headers().set("x-origin", "yes");
            ctx.writeAndFlush(r);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Writes deterministic bytes while the channel is writable (an origin that respects backpressure). */
    private static final class Streamer implements Runnable {
        private final ChannelHandlerContext ctx;
        private final long total;
        private long offset;

        Streamer(ChannelHandlerContext ctx, long total) {
            this.ctx = ctx;
            this.total = total;
        }

        @Override
        public void run() {
            if (!ctx.channel().isActive()) {
                return;
            }
            while (offset < total && ctx.channel().isWritable()) {
                int len = (int) Math.min(32 * 1024, total - offset);
                // One bulk write per chunk: the paranoid leak detector records every buffer access.
                ByteBuf buf = ctx.alloc().buffer(len);
                buf.writeBytes(PATTERN, (int) (offset % PATTERN.length), len);
                offset += len;
                ctx.write(offset == total ? new DefaultLastHttpContent(buf) : new DefaultHttpContent(buf));
            }
            ctx.flush();
            if (offset < total) {
                // Resume when the channel drains; poll cheaply rather than add a writability handler.
                ctx.executor().schedule(this, 1, TimeUnit.MILLISECONDS);
            }
        }
    }

    static String hex(ByteBuf b) {
        return ByteBufUtil.hexDump(b);
    }
}
