package io.sallyport.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.sallyport.core.accesslog.ResponseFlag;
import io.sallyport.core.cluster.Cluster;
import io.sallyport.core.cluster.ClusterSpec;
import io.sallyport.core.cluster.Endpoint;
import io.sallyport.core.cluster.EndpointAddress;
import io.sallyport.core.cluster.EndpointResolver;
import io.sallyport.core.cluster.PriorityLevel;
import io.sallyport.core.cluster.UpstreamChannelInitializer;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.transport.Transport;
import io.sallyport.testing.EchoServer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The connector against real sockets and a local DNS server that knows no name. */
class UpstreamConnectorTest {

    private static final Transport TRANSPORT = Transport.platform();
    private static EventLoopGroup group;
    private static EchoServer echo;
    private static DatagramSocket nxdomainServer;

    private final Stats stats = new Stats();

    @BeforeAll
    static void start() throws Exception {
        group = TRANSPORT.newEventLoopGroup(1, "connector-test");
        echo = EchoServer.tcp();
        nxdomainServer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(UpstreamConnectorTest::answerNxdomain, "nxdomain-dns");
        t.setDaemon(true);
        t.start();
    }

    @AfterAll
    static void stop() {
        nxdomainServer.close();
        echo.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** Answers every query with NXDOMAIN (question echoed, no records). */
    private static void answerNxdomain() {
        byte[] buf = new byte[1500];
        while (!nxdomainServer.isClosed()) {
            try {
                DatagramPacket q = new DatagramPacket(buf, buf.length);
                nxdomainServer.receive(q);
                int end = 12;
                while (end < q.getLength() && buf[end] != 0) {
                    end += (buf[end] & 0xff) + 1;
                }
                end += 5; // root label, QTYPE, QCLASS
                byte[] r = java.util.Arrays.copyOf(buf, end);
                r[2] = (byte) (0x80 | (buf[2] & 0x01)); // QR, RD copied
                r[3] = (byte) 0x83;                      // RA, RCODE=3 (NXDOMAIN)
                r[6] = 0; r[7] = 0; r[8] = 0; r[9] = 0; r[10] = 0; r[11] = 0;
                nxdomainServer.send(new DatagramPacket(r, r.length, q.getSocketAddress()));
            } catch (Exception closed) {
                return;
            }
        }
    }

    private Cluster cluster(String name, UpstreamChannelInitializer init, Endpoint... endpoints) {
        ClusterSpec spec = new ClusterSpec(name, "default", List.of(new PriorityLevel(0, List.of(endpoints))),
                Duration.ofSeconds(2), Duration.ZERO, 5, null);
        return Cluster.create(spec, stats, init);
    }

    private static Endpoint echoEndpoint() throws Exception {
        return new Endpoint.Ip(InetAddress.getByName("127.0.0.1"), echo.port());
    }

    @Test
    void aNameThatDoesNotResolveIsNoHealthyUpstream() throws Exception {
        try (EndpointResolver resolver = EndpointResolver.withNameServer(TRANSPORT,
                (InetSocketAddress) nxdomainServer.getLocalSocketAddress())) {
            UpstreamConnector connector = new UpstreamConnector(TRANSPORT, resolver);
            Cluster c = cluster("mes-nx", null, new Endpoint.DnsName("no-such-name.invalid", 80));

            Promise<UpstreamConnection> p = connector.connect(c, group.next());

            assertThat(p.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(p.cause()).isInstanceOf(UpstreamConnectException.class);
            assertThat(((UpstreamConnectException) p.cause()).flag()).isEqualTo(ResponseFlag.UH);
            assertThat(c.stats().noneHealthy().get()).isEqualTo(1);
            assertThat(c.stats().cxTotal().get()).isZero();
        }
    }

    @Test
    void theInitializerDecidesWhenTheConnectionIsReadyAndAFailureMovesOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        UpstreamChannelInitializer init = (ch, target) -> {
            // The first connection fails its "handshake"; the second becomes ready 50 ms later.
            Promise<Void> ready = ch.eventLoop().newPromise();
            if (calls.getAndIncrement() == 0) {
                ready.setFailure(new javax.net.ssl.SSLHandshakeException("test: bad certificate"));
            } else {
                ch.eventLoop().schedule(() -> ready.setSuccess(null), 50, TimeUnit.MILLISECONDS);
            }
            return ready;
        };
        try (EndpointResolver resolver = EndpointResolver.system(TRANSPORT)) {
            UpstreamConnector connector = new UpstreamConnector(TRANSPORT, resolver);
            Cluster c = cluster("mes-init", init, echoEndpoint(), echoEndpoint());
            EventLoop loop = group.next();
            long start = System.nanoTime();

            Future<UpstreamConnection> f = connector.connect(c, loop).await();

            assertThat(f.isSuccess()).as(String.valueOf(f.cause())).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
            UpstreamConnection conn = f.getNow();
            assertThat(conn.channel().eventLoop()).isSameAs(loop);
            assertThat(conn.address().describe()).isEqualTo("127.0.0.1:" + echo.port());
            assertThat(c.stats().cxTotal().get()).isEqualTo(2);
            assertThat(c.stats().connectFail().get()).isEqualTo(1);
            assertThat(c.stats().cxActive().get()).isEqualTo(1);
            conn.channel().close().sync();
            assertThat(c.stats().cxActive().get()).isZero();
        }
    }

    @Test
    void aNonRetryableTransportFailureEndsTheConnectWithItsReason() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        UpstreamChannelInitializer refusing = (ch, target) -> {
            calls.incrementAndGet();
            return ch.eventLoop().newFailedFuture(new io.sallyport.core.cluster.UpstreamTransportException(
                    "san_mismatch", false, "test: certificate refused", null));
        };
        UpstreamChannelInitializer retryable = (ch, target) -> calls.getAndIncrement() == 0
                ? ch.eventLoop().newFailedFuture(new io.sallyport.core.cluster.UpstreamTransportException(
                        "version", true, "test: no common version", null))
                : ch.eventLoop().newSucceededFuture(null);
        try (EndpointResolver resolver = EndpointResolver.system(TRANSPORT)) {
            UpstreamConnector connector = new UpstreamConnector(TRANSPORT, resolver);
            Cluster refused = cluster("mes-refused", refusing, echoEndpoint(), echoEndpoint());

            Future<UpstreamConnection> f = connector.connect(refused, group.next()).await();

            assertThat(f.cause()).isInstanceOf(UpstreamConnectException.class);
            UpstreamConnectException e = (UpstreamConnectException) f.cause();
            assertThat(e.flag()).isEqualTo(ResponseFlag.UF);
            assertThat(e.transportFailureReason()).isEqualTo("san_mismatch");
            assertThat(calls.get()).as("the second endpoint is not tried").isEqualTo(1);
            assertThat(refused.stats().cxTotal().get()).isEqualTo(1);

            calls.set(0);
            Cluster retried = cluster("mes-retried", retryable, echoEndpoint(), echoEndpoint());
            UpstreamConnection conn = connector.connect(retried, group.next()).get(10, TimeUnit.SECONDS);
            conn.channel().close().sync();
            assertThat(calls.get()).isEqualTo(2);
        }
    }

    @Test
    void endpointAddressKeepsTheDnsNameForTls() throws Exception {
        try (EndpointResolver resolver = EndpointResolver.system(TRANSPORT)) {
            UpstreamConnector connector = new UpstreamConnector(TRANSPORT, resolver);
            AtomicInteger seen = new AtomicInteger();
            java.util.concurrent.atomic.AtomicReference<EndpointAddress> target = new java.util.concurrent.atomic.AtomicReference<>();
            Cluster c = cluster("mes-name", (ch, t) -> {
                seen.incrementAndGet();
                target.set(t);
                return ch.eventLoop().newSucceededFuture(null);
            }, new Endpoint.DnsName("localhost", echo.port()));

            UpstreamConnection conn = connector.connect(c, group.next()).get(10, TimeUnit.SECONDS);
            conn.channel().close().sync();

            assertThat(seen.get()).isEqualTo(1);
            assertThat(target.get().hostname()).isEqualTo("localhost");
            assertThat(target.get().describe()).isEqualTo("127.0.0.1:" + echo.port());
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }
}
