package io.sallyport.core.cluster;

import io.netty.channel.EventLoop;
import io.netty.resolver.DefaultHostsFileEntriesResolver;
import io.netty.resolver.HostsFileEntriesResolver;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DefaultDnsCache;
import io.netty.resolver.dns.DefaultDnsCnameCache;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.concurrent.Future;
import io.sallyport.core.transport.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves endpoint DNS names without blocking: Netty's {@link DnsNameResolver}, one per event loop
 * (created on first use, so resolution runs on the loop of the connection that needs it), sharing one
 * TTL-respecting cache. Names in the hosts file ({@code localhost}) resolve from it first. IPv4 answers
 * come before IPv6 ones.
 *
 * <p>Files ({@code /etc/hosts}, {@code /etc/resolv.conf}) are read when this object is built, off the
 * event loops.
 */
public final class EndpointResolver implements AutoCloseable {

    private final Transport transport;
    private final DnsServerAddressStreamProvider nameServers;
    private final HostsFileEntriesResolver hosts;
    private final DefaultDnsCache cache = new DefaultDnsCache();
    private final DefaultDnsCnameCache cnameCache = new DefaultDnsCnameCache();
    private final Map<EventLoop, DnsNameResolver> resolvers = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public EndpointResolver(Transport transport, DnsServerAddressStreamProvider nameServers,
                            HostsFileEntriesResolver hosts) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.nameServers = Objects.requireNonNull(nameServers, "nameServers");
        this.hosts = Objects.requireNonNull(hosts, "hosts");
        // Class initialisation of DnsNameResolver parses /etc/resolv.conf (search domains, ndots):
        // do it here, on the caller's thread, never on an event loop.
        try {
            Class.forName(DnsNameResolver.class.getName(), true, DnsNameResolver.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The system's name servers ({@code /etc/resolv.conf}) and hosts file. */
    public static EndpointResolver system(Transport transport) {
        return new EndpointResolver(transport, DnsServerAddressStreamProviders.platformDefault(),
                new DefaultHostsFileEntriesResolver());
    }

    /** The system hosts file, then one given name server (tests point it at a local DNS server). */
    public static EndpointResolver withNameServer(Transport transport, InetSocketAddress nameServer) {
        return new EndpointResolver(transport, new SingletonDnsServerAddressStreamProvider(nameServer),
                new DefaultHostsFileEntriesResolver());
    }

    /**
     * All addresses of {@code hostname}, IPv4 first; the future completes on {@code loop}. Fails with
     * {@link java.net.UnknownHostException} when the name does not resolve.
     */
    public Future<List<InetAddress>> resolveAll(String hostname, EventLoop loop) {
        if (closed) {
            return loop.newFailedFuture(new IllegalStateException("resolver closed"));
        }
        return resolvers.computeIfAbsent(loop, this::newResolver).resolveAll(hostname);
    }

    private DnsNameResolver newResolver(EventLoop loop) {
        return new DnsNameResolverBuilder(loop)
                .datagramChannelType(transport.datagramChannel())
                .socketChannelType(transport.socketChannel())
                .nameServerProvider(nameServers)
                .hostsFileEntriesResolver(hosts)
                .resolveCache(cache)
                .cnameCache(cnameCache)
                .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
                .build();
    }

    @Override
    public void close() {
        closed = true;
        for (DnsNameResolver r : resolvers.values()) {
            r.close();
        }
        resolvers.clear();
    }
}
