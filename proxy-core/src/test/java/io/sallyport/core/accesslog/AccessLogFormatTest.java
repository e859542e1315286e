package io.sallyport.core.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AccessLogFormatTest {

    private static final TcpAccessLogEntry ENTRY = new TcpAccessLogEntry(Instant.parse("2026-11-21T23:50:00.310Z"),
            5001, Set.of(ResponseFlag.UF), 12, 0, null, "mes-tcp", "127.0.0.1:50000", "127.0.0.1:4242",
            "outbound:127.0.0.1:4242");

    @Test
    void envoyDefaultFormatForTcp() {
        assertThat(AccessLogFormat.ENVOY.format(ENTRY))
                .isEqualTo("[2026-11-21T23:50:00.310Z] \"- - -\" 0 UF 12 0 5001 - \"-\" \"-\" \"-\" \"-\" \"-\"");
    }

    @Test
    void severalFlagsAreJoinedInEnvoysOrder() {
        TcpAccessLogEntry e = new TcpAccessLogEntry(ENTRY.startTime(), 1, Set.of(ResponseFlag.DC, ResponseFlag.UH),
                0, 0, "10.0.0.1:80", null, null, null, null);
        assertThat(e.flagsString()).isEqualTo("UH,DC");
        assertThat(AccessLogFormat.ENVOY.format(e)).endsWith("\"10.0.0.1:80\"");
    }

    @Test
    void transportFailureReasonFollowsTheFlags() {
        TcpAccessLogEntry e = new TcpAccessLogEntry(ENTRY.startTime(), 12, Set.of(ResponseFlag.UF), 0, 0, null,
                "mes-tls", null, null, null, "san_mismatch");
        assertThat(AccessLogFormat.ENVOY.format(e))
                .isEqualTo("[2026-11-21T23:50:00.310Z] \"- - -\" 0 UF san_mismatch 0 0 12 - \"-\" \"-\" \"-\" \"-\" \"-\"");
        assertThat(AccessLogFormat.JSON.format(e)).contains("\"upstream_transport_failure_reason\":\"san_mismatch\"");
    }

    @Test
    void jsonHasOneObjectPerLine() {
        assertThat(AccessLogFormat.JSON.format(ENTRY)).isEqualTo("{\"start_time\":\"2026-11-21T23:50:00.310Z\","
                + "\"protocol\":null,\"response_code\":0,\"response_flags\":\"UF\",\"bytes_received\":12,"
                + "\"bytes_sent\":0,\"duration\":5001,\"upstream_host\":null,\"upstream_transport_failure_reason\":null,"
                + "\"upstream_cluster\":\"mes-tcp\","
                + "\"downstream_remote_address\":\"127.0.0.1:50000\",\"downstream_local_address\":\"127.0.0.1:4242\","
                + "\"listener\":\"outbound:127.0.0.1:4242\"}");
    }

    @Test
    void writesOffTheCallersThread() throws Exception {
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<String> threads = new LinkedBlockingQueue<>();
        try (AccessLog log = AccessLog.to(AccessLogFormat.ENVOY, l -> {
            threads.add(Thread.currentThread().getName());
            lines.add(l);
        })) {
            log.log(ENTRY);
            assertThat(lines.poll(5, TimeUnit.SECONDS)).contains(" UF ");
            assertThat(threads.poll()).isEqualTo("sallyport-access-log");
        }
    }
}
