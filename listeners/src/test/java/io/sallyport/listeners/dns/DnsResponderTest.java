package io.sallyport.listeners.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.sallyport.core.config.ConfigSet;
import io.sallyport.core.config.HostnameGenerator;
import io.sallyport.core.config.MeshExternalService;
import io.sallyport.core.config.Origin;
import io.sallyport.core.config.Protocol;
import io.sallyport.core.config.ResourceMeta;
import io.sallyport.core.hostname.HostnameTable;
import io.sallyport.core.metrics.Stats;
import io.sallyport.core.runtime.Snapshot;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DnsResponderTest {

    private static final String HOST = "mes-tcp.svc.meshext.local";

    private static StandInDnsServer upstream;
    private static Stats stats;
    private static DnsResponder responder;
    private static HostnameTable table;
    private static InetAddress vip;
    private static EventLoopGroup clientGroup;
    private static DnsNameResolver client;

    @BeforeAll
    static void start() throws Exception {
        upstream = new StandInDnsServer();
        stats = new Stats();
        table = HostnameTable.compile(config("mes-tcp"), "242.0.0.0/8").table();
        vip = table.vipOf("mes-tcp");
        responder = new DnsResponder(new DnsResponder.Options(new InetSocketAddress("127.0.0.1", 0),
                List.of(upstream.address()), Duration.ofSeconds(2)), stats, "242.0.0.0/8");
        responder.apply(table);
        clientGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        client = new DnsNameResolverBuilder(clientGroup.next())
                .datagramChannelType(NioDatagramChannel.class)
                .nameServerProvider(new SingletonDnsServerAddressStreamProvider(responder.udpAddress()))
                .resolveCache(NoopDnsCache.INSTANCE)
                .queryTimeoutMillis(5000)
                .build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
            clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (responder != null) {
            responder.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    static ConfigSet config(String... mesNames) {
        Origin origin = Origin.synthetic("test");
        List<io.sallyport.core.config.Resource> rs = new java.util.ArrayList<>();
        rs.add(new HostnameGenerator(new ResourceMeta("HostnameGenerator", "docs", null, "",
                Map.of("kuma.io/origin", "zone"), origin), "{{ .DisplayName }}.svc.meshext.local",
                Map.of("kuma.io/origin", "zone")));
        for (String n : mesNames) {
            rs.add(new MeshExternalService(new ResourceMeta("MeshExternalService", n, null, "",
                    Map.of("kuma.io/origin", "zone"), origin),
                    new MeshExternalService.Match(null, 4242, Protocol.TCP),
                    List.of(new MeshExternalService.Endpoint("127.0.0.1", 4242, 0)), null, null));
        }
        return new ConfigSet(rs);
    }

    private static void query(String name, DnsRecordType type, Consumer<DnsResponse> check) throws Exception {
        AddressedEnvelope<DnsResponse, InetSocketAddress> env = client
                .query(responder.udpAddress(), new DefaultDnsQuestion(name, type))
                .get(10, TimeUnit.SECONDS);
        try {
            check.accept(env.content());
        } finally {
            env.release();
        }
    }

    @Test
    void answersGeneratedHostnamesWithTheVipAuthoritativelyWithTtl30() throws Exception {
        long before = stats.counterValue("sallyport_dns_queries_total", "result", "local");
        query(HOST, DnsRecordType.A, r -> {
            assertThat(r.code()).isEqualTo(DnsResponseCode.NOERROR);
            assertThat(r.isAuthoritativeAnswer()).isTrue();
            assertThat(r.count(DnsSection.ANSWER)).isEqualTo(1);
            DnsRecord a = r.recordAt(DnsSection.ANSWER, 0);
            assertThat(a.type()).isEqualTo(DnsRecordType.A);
            assertThat(a.name()).isEqualToIgnoringCase(HOST + ".");
            assertThat(a.timeToLive()).isEqualTo(30);
            assertThat(ByteBufUtil.getBytes(((DnsRawRecord) a).content())).isEqualTo(vip.getAddress());
        });
        query("MES-TCP.Svc.MeshExt.Local", DnsRecordType.A, r ->
                assertThat(r.count(DnsSection.ANSWER)).isEqualTo(1));
        assertThat(stats.counterValue("sallyport_dns_queries_total", "result", "local")).isEqualTo(before + 2);
    }

    @Test
    void otherTypesForOurNamesGetNoErrorWithoutAnswer() throws Exception {
        int upstreamBefore = upstream.udpQueries.get() + upstream.tcpQueries.get();
        for (DnsRecordType type : List.of(DnsRecordType.AAAA, DnsRecordType.MX, DnsRecordType.TXT)) {
            query(HOST, type, r -> {
                assertThat(r.code()).isEqualTo(DnsResponseCode.NOERROR);
                assertThat(r.isAuthoritativeAnswer()).isTrue();
                assertThat(r.count(DnsSection.ANSWER)).isZero();
            });
        }
        assertThat(upstream.udpQueries.get() + upstream.tcpQueries.get())
                .as("our names are never forwarded").isEqualTo(upstreamBefore);
    }

    @Test
    void otherNamesAreForwardedAndTheUpstreamAnswerRelayed() throws Exception {
        query("example.test", DnsRecordType.A, r -> {
            assertThat(r.code()).isEqualTo(DnsResponseCode.NOERROR);
            assertThat(r.isAuthoritativeAnswer()).isTrue(); // the stand-in's own flag, relayed untouched
            assertThat(r.count(DnsSection.ANSWER)).isEqualTo(1);
            DnsRawRecord a = r.recordAt(DnsSection.ANSWER, 0);
            assertThat(a.timeToLive()).isEqualTo(60);
            assertThat(ByteBufUtil.getBytes(a.content())).isEqualTo(StandInDnsServer.ANSWER);
        });
        query("nowhere.test", DnsRecordType.A, r -> assertThat(r.code()).isEqualTo(DnsResponseCode.NXDOMAIN));
        assertThat(upstream.udpQueries.get()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void tcpQueriesAreAnsweredAndForwardedOverTcp() throws Exception {
        int tcpBefore = upstream.tcpQueries.get();
        ByteBuffer[] answers = RawDns.tcp(responder.tcpAddress(), 5000,
                RawDns.query(0x1234, HOST, 1, false),
                RawDns.query(0x2345, "example.test", 1, true));
        ByteBuffer local = answers[0].getShort(0) == 0x1234 ? answers[0] : answers[1];
        ByteBuffer forwarded = local == answers[0] ? answers[1] : answers[0];
        assertThat(RawDns.id(local)).isEqualTo(0x1234);
        assertThat(RawDns.authoritative(local)).isTrue();
        assertThat(RawDns.answers(local)).isEqualTo(1);
        byte[] last4 = new byte[4];
        local.get(local.limit() - 4, last4);
        assertThat(last4).isEqualTo(vip.getAddress());
        assertThat(RawDns.id(forwarded)).isEqualTo(0x2345);
        assertThat(RawDns.rcode(forwarded)).isZero();
        assertThat(RawDns.answers(forwarded)).isEqualTo(1);
        assertThat(upstream.tcpQueries.get()).isEqualTo(tcpBefore + 1);
    }

    @Test
    void garbageIsDroppedAndTheNextQueryStillAnswered() throws Exception {
        long before = stats.counterValue("sallyport_dns_queries_total", "result", "malformed");
        Random random = new Random(42);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            byte[][] garbage = {
                new byte[0], new byte[] {1, 2, 3}, new byte[11],
                // a header claiming one question, then a compression pointer
                {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xC0, 0x0C, 0, 1, 0, 1},
                // a label running past the end
                {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 40, 'a', 'b'},
                // a response, not a query
                {0, 1, (byte) 0x81, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0},
            };
            for (byte[] g : garbage) {
                s.send(new DatagramPacket(g, g.length, responder.udpAddress()));
            }
            for (int i = 0; i < 20; i++) {
                byte[] g = new byte[12 + random.nextInt(100)];
                random.nextBytes(g);
                g[2] = (byte) (g[2] | 0x80); // QR set: certainly not a query
                s.send(new DatagramPacket(g, g.length, responder.udpAddress()));
            }
        }
        ByteBuffer answer = RawDns.udp(responder.udpAddress(), RawDns.query(7, HOST, 1, true), 5000);
        assertThat(RawDns.id(answer)).isEqualTo(7);
        assertThat(RawDns.answers(answer)).isEqualTo(1);
        // The garbage was read before the valid query: the socket serves in order.
        assertThat(stats.counterValue("sallyport_dns_queries_total", "result", "malformed") - before)
                .isEqualTo(26);
    }

    @Test
    void unusualButWellFormedQueriesGetFormerrOrNotimp() throws Exception {
        byte[] noQuestion = {0, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        ByteBuffer a = RawDns.udp(responder.udpAddress(), noQuestion, 5000);
        assertThat(RawDns.id(a)).isEqualTo(9);
        assertThat(RawDns.rcode(a)).isEqualTo(1);
        byte[] notify = RawDns.query(10, HOST, 1, false);
        notify[2] = (byte) (4 << 3); // opcode NOTIFY
        ByteBuffer b = RawDns.udp(responder.udpAddress(), notify, 5000);
        assertThat(RawDns.id(b)).isEqualTo(10);
        assertThat(RawDns.rcode(b)).isEqualTo(4);
    }

    @Test
    void garbageOnTcpClosesOnlyThatConnection() throws Exception {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(responder.tcpAddress(), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(new byte[] {0, 3, 1, 2, 3});
            s.getOutputStream().flush();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        ByteBuffer[] ok = RawDns.tcp(responder.tcpAddress(), 5000, RawDns.query(3, HOST, 1, false));
        assertThat(RawDns.answers(ok[0])).isEqualTo(1);
    }

    @Test
    void digShowsTheVip() throws Exception {
        String out = dig("@127.0.0.1", "-p", String.valueOf(responder.udpAddress().getPort()), HOST);
        assertThat(out).contains("status: NOERROR").containsPattern("flags: qr aa rd ra;");
        assertThat(out).containsPattern(HOST.replace(".", "\\.") + "\\.\\s+30\\s+IN\\s+A\\s+"
                + vip.getHostAddress().replace(".", "\\."));
        String tcp = dig("+tcp", "@127.0.0.1", "-p", String.valueOf(responder.tcpAddress().getPort()), HOST);
        assertThat(tcp).contains(vip.getHostAddress()).contains("(TCP)");
        String forwarded = dig("@127.0.0.1", "-p", String.valueOf(responder.udpAddress().getPort()), "example.test");
        assertThat(forwarded).containsPattern("example\\.test\\.\\s+60\\s+IN\\s+A\\s+127\\.0\\.0\\.99");
    }

    static String dig(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("dig", "+time=3", "+tries=1"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        boolean exited = p.waitFor(15, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(exited).as("dig finished: " + out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void applyingANewSnapshotSwapsTheTable() throws Exception {
        try (DnsResponder r = new DnsResponder(new DnsResponder.Options(new InetSocketAddress("127.0.0.1", 0),
                List.of(upstream.address()), Duration.ofSeconds(2)), new Stats(), "10.77.0.0/16")) {
            r.apply(new Snapshot(1, Instant.now(), config("first")));
            InetSocketAddress addr = r.udpAddress();
            ByteBuffer a = RawDns.udp(addr, RawDns.query(1, "first.svc.meshext.local", 1, false), 5000);
            assertThat(RawDns.answers(a)).isEqualTo(1);
            r.apply(new Snapshot(2, Instant.now(), config("second")));
            assertThat(r.udpAddress()).isEqualTo(addr);
            ByteBuffer b = RawDns.udp(addr, RawDns.query(2, "second.svc.meshext.local", 1, false), 5000);
            assertThat(RawDns.answers(b)).isEqualTo(1);
            byte[] ip = new byte[4];
            b.get(b.limit() - 4, ip);
            assertThat(ip[0]).isEqualTo((byte) 10);
            assertThat(ip[1]).isEqualTo((byte) 77);
            // "first" is gone: forwarded, and the stand-in says NXDOMAIN.
            ByteBuffer c = RawDns.udp(addr, RawDns.query(3, "first.svc.meshext.local", 1, false), 5000);
            assertThat(RawDns.rcode(c)).isEqualTo(3);
        }
    }
}
