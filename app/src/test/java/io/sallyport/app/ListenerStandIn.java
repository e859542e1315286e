package io.sallyport.app;

import io.sallyport.core.config.Dataplane;
import io.sallyport.core.runtime.DataPlaneComponent;
import io.sallyport.core.runtime.Snapshot;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A data-plane component for tests that really binds a loopback socket for every Dataplane outbound of the
 * snapshot it is given (and closes the ones that are gone), so bind failures and rollbacks are real.
 */
final class ListenerStandIn implements DataPlaneComponent {

    final List<Long> appliedGenerations = new CopyOnWriteArrayList<>();
    final List<Duration> drains = new CopyOnWriteArrayList<>();
    volatile boolean closed;
    private final Map<Integer, ServerSocket> bound = new HashMap<>();

    @Override
    public synchronized void apply(Snapshot next) throws IOException {
        List<Integer> wanted = new ArrayList<>();
        for (Dataplane dp : next.config().all(Dataplane.class)) {
            dp.outbounds().forEach(o -> wanted.add(o.port()));
        }
        Map<Integer, ServerSocket> opened = new HashMap<>();
        try {
            for (int port : wanted) {
                if (!bound.containsKey(port)) {
                    ServerSocket s = new ServerSocket();
                    opened.put(port, s);
                    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                }
            }
        } catch (IOException e) {
            for (ServerSocket s : opened.values()) {
                s.close();
            }
            throw new IOException("cannot bind 127.0.0.1: " + e.getMessage(), e);
        }
        bound.putAll(opened);
        for (Integer port : List.copyOf(bound.keySet())) {
            if (!wanted.contains(port)) {
                bound.remove(port).close();
            }
        }
        appliedGenerations.add(next.generation());
    }

    synchronized List<Integer> boundPorts() {
        return bound.keySet().stream().sorted().toList();
    }

    @Override
    public CompletableFuture<Void> drain(Duration timeout) {
        drains.add(timeout);
        closeSockets();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
        closeSockets();
        closed = true;
    }

    private synchronized void closeSockets() {
        for (ServerSocket s : bound.values()) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        bound.clear();
    }
}
