package io.sallyport.e2e;

import com.sun.net.httpserver.HttpServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Loopback origins standing in for external HTTP services in the end-to-end tests. */
final class HttpOrigins {

    private HttpOrigins() {
    }

    /**
     * An HTTP/1.1 origin (the JDK's server) on {@code 127.0.0.1:port}: {@code /delay/N} answers after N
     * seconds (as httpbin does), any other path answers {@code origin <path>}.
     */
    static final class Http1 implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService threads = Executors.newFixedThreadPool(4);

        Http1(int port) {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                try {
                    if (path.startsWith("/delay/")) {
                        Thread.sleep(TimeUnit.SECONDS.toMillis(Long.parseLong(path.substring(7))));
                    }
                    byte[] body = ("origin " + path + " host " + exchange.getRequestHeaders().getFirst("Host") + "\n")
                            .getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                } catch (InterruptedException | NumberFormatException e) {
                    exchange.sendResponseHeaders(500, -1);
                } catch (IOException e) {
                    // the proxy gave up on the request (timeout): nothing to answer
                } finally {
                    exchange.close();
                }
            });
            server.setExecutor(threads);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }

    /** An h2c (prior knowledge) origin: every stream gets {@code 200} and {@code h2 origin <path>}. */
    static final class H2c implements AutoCloseable {
        final AtomicInteger connections = new AtomicInteger();
        private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        private final Channel server;

        H2c(int port) throws InterruptedException {
            server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            connections.incrementAndGet();
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                                    new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                        @Override
                                        protected void initChannel(Http2StreamChannel stream) {
                                            stream.pipeline().addLast(new StreamHandler());
                                        }
                                    }));
                        }
                    }).bind("127.0.0.1", port).sync().channel();
        }

        int port() {
            return ((InetSocketAddress) server.localAddress()).getPort();
        }

        @Override
        public void close() {
            server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }

        private static final class StreamHandler extends ChannelInboundHandlerAdapter {
            private String path;

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                try {
                    boolean end;
                    if (msg instanceof Http2HeadersFrame h) {
                        path = String.valueOf(h.headers().path());
                        end = h.isEndStream();
                    } else {
                        end = msg instanceof io.netty.handler.codec.http2.Http2DataFrame d && d.isEndStream();
                    }
                    if (end) {
                        ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                                .set("content-type", "text/plain")));
                        ctx.writeAndFlush(new DefaultHttp2DataFrame(
                                ByteBufUtil.writeUtf8(ctx.alloc(), "h2 origin " + path + "\n"), true));
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }
        }
    }
}
