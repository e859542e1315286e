package io.sallyport.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;

/**
 * A TCP server that accepts one connection and does not read from it until the test says so: the
 * slow reader of backpressure tests. Plain blocking sockets, accept on a daemon thread.
 */
public final class HoldingServer implements AutoCloseable {

    private final ServerSocket server;
    private final CompletableFuture<Socket> accepted = new CompletableFuture<>();

    public HoldingServer() throws IOException {
        server = new ServerSocket();
        server.setReceiveBufferSize(64 * 1024);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(() -> {
            try {
                accepted.complete(server.accept());
            } catch (IOException e) {
                accepted.completeExceptionally(e);
            }
        }, "holding-server");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The accepted connection (nothing has been read from it). */
    public CompletableFuture<Socket> accepted() {
        return accepted;
    }

    @Override
    public void close() throws IOException {
        server.close();
        if (accepted.isDone() && !accepted.isCompletedExceptionally()) {
            accepted.join().close();
        }
    }
}
