package io.sallyport.listeners.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResolvConfTest {

    @Test
    void readsNameserversInOrderSkippingCommentsAndJunk(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("resolv.conf");
        Files.writeString(f, String.join("\n",
                "# generated",
                "search example.internal",
                "nameserver 127.0.0.53 # stub",
                "nameserver fe80::1%eth0",
                "; nameserver 127.0.0.9",
                "nameserver not-an-ip",
                "  nameserver\t::1",
                "options edns0 trust-ad"));
        assertThat(ResolvConf.nameservers(f)).containsExactly(
                new InetSocketAddress("127.0.0.53", 53),
                new InetSocketAddress("fe80::1", 53),
                new InetSocketAddress("::1", 53));
    }

    @Test
    void fallsBackToLocalhostLikeTheCLibrary(@TempDir Path dir) throws Exception {
        Path empty = dir.resolve("empty");
        Files.writeString(empty, "search x\n");
        assertThat(ResolvConf.nameservers(empty)).containsExactly(new InetSocketAddress("127.0.0.1", 53));
        assertThat(ResolvConf.nameservers(dir.resolve("missing"))).containsExactly(new InetSocketAddress("127.0.0.1", 53));
    }

    @Test
    void neverForwardsToItself() {
        InetSocketAddress self = new InetSocketAddress("127.0.0.1", 15053);
        InetSocketAddress other = new InetSocketAddress("127.0.0.53", 53);
        assertThat(DnsResponder.withoutSelf(List.of(self, other), self)).containsExactly(other);
        assertThat(DnsResponder.withoutSelf(List.of(new InetSocketAddress("127.0.0.2", 15053), other),
                new InetSocketAddress("0.0.0.0", 15053))).containsExactly(other);
    }
}
