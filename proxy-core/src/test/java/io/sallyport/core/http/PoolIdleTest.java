package io.sallyport.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Pooled upstream connections are closed after the idle timeout, and a later request opens a new one. */
class PoolIdleTest {

    @Test
    void idleUpstreamConnectionIsEvicted() throws Exception {
        HttpTimeouts t = new HttpTimeouts(Duration.ofSeconds(5), Duration.ofMillis(300), Duration.ofSeconds(15),
                Duration.ofMinutes(30), Duration.ZERO);
        for (boolean h2 : new boolean[] {false, true}) {
            try (TestOrigin o = new TestOrigin(h2);
                 ProxyHarness p = new ProxyHarness("mes-idle", h2 ? UpstreamHttpProtocol.HTTP2 : UpstreamHttpProtocol.HTTP1,
                         t, List.of(o.endpoint()))) {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                HttpRequest req = HttpRequest.newBuilder(URI.create(p.url("/"))).timeout(Duration.ofSeconds(10)).build();
                assertThat(client.send(req, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
                assertThat(o.closes.tryAcquire(5, TimeUnit.SECONDS)).as("upstream connection closed when idle").isTrue();
                assertThat(client.send(req, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
                assertThat(o.connections.get()).isEqualTo(2);
            }
        }
    }
}
