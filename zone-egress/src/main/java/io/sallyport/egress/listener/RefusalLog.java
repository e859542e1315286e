package io.sallyport.egress.listener;

import io.netty.channel.Channel;
import io.netty.util.NetUtil;
import io.sallyport.core.accesslog.AccessLog;
import io.sallyport.core.accesslog.ResponseFlag;
import io.sallyport.core.accesslog.TcpAccessLogEntry;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.Set;

/** Access log lines for egress connections refused before a MeshExternalService was chosen. */
final class RefusalLog {

    private RefusalLog() {
    }

    /** No filter chain for the SNI: Envoy's {@code NR}. */
    static void noRoute(AccessLog log, Channel ch, String listener, String sni) {
        log.log(new TcpAccessLogEntry(Instant.now(), 0, Set.of(ResponseFlag.NR), 0, 0, null, null,
                describe(ch.remoteAddress()), describe(ch.localAddress()), listener, null));
    }

    /** A caller denied by a MeshTrafficPermission, answered by {@link DeniedHttpResponder}: {@code NR}. */
    static void denied(AccessLog log, Channel ch, String listener, String service, String caller) {
        log.log(new TcpAccessLogEntry(Instant.now(), 0, Set.of(ResponseFlag.NR), 0, 0, null, service,
                describe(ch.remoteAddress()), describe(ch.localAddress()), listener, null, caller));
    }

    private static String describe(SocketAddress a) {
        if (a instanceof InetSocketAddress in && in.getAddress() != null) {
            return NetUtil.toSocketAddressString(in);
        }
        return a == null ? null : a.toString();
    }
}
