package io.sallyport.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class EndpointTest {

    @Test
    void parsesIpv4Ipv6DnsAndUnix() throws Exception {
        assertThat(Endpoint.parse("10.1.2.3", 80)).isEqualTo(new Endpoint.Ip(InetAddress.getByName("10.1.2.3"), 80));
        assertThat(Endpoint.parse("::1", 443)).isEqualTo(new Endpoint.Ip(InetAddress.getByName("::1"), 443));
        assertThat(Endpoint.parse("[2001:db8::1]", 443))
                .isEqualTo(new Endpoint.Ip(InetAddress.getByName("2001:db8::1"), 443));
        assertThat(Endpoint.parse("httpbin.org", 80)).isEqualTo(new Endpoint.DnsName("httpbin.org", 80));
        assertThat(Endpoint.parse("unix:///tmp/echo.sock", null)).isEqualTo(new Endpoint.UnixPath("/tmp/echo.sock"));
    }

    @Test
    void describesEndpointsTheWayLogsShowThem() throws Exception {
        assertThat(Endpoint.parse("::1", 443).describe()).isEqualTo("[::1]:443");
        assertThat(Endpoint.parse("10.1.2.3", 80).describe()).isEqualTo("10.1.2.3:80");
        assertThat(Endpoint.parse("unix:///tmp/s", null).describe()).isEqualTo("unix:///tmp/s");
    }

    @Test
    void rejectsWhatCannotBeAnEndpoint() {
        assertThatThrownBy(() -> Endpoint.parse("example.com", null)).hasMessageContaining("port is required");
        assertThatThrownBy(() -> Endpoint.parse("example.com", 70000)).hasMessageContaining("between 1 and 65535");
        assertThatThrownBy(() -> Endpoint.parse("unix://relative", null)).hasMessageContaining("absolute");
        assertThatThrownBy(() -> Endpoint.parse("bad host!", 80)).hasMessageContaining("not an IP address");
    }
}
