package io.sallyport.listeners.dns;

import io.sallyport.core.metrics.Stats;

/**
 * The responder's counters, looked up once: {@code sallyport_dns_queries_total{result=...}} with results
 * {@code local} (a VIP answered), {@code local_nodata} (one of our names, another record type),
 * {@code forwarded} (upstream answer relayed), {@code servfail} (upstream failed, timed out, or too many
 * queries in flight), {@code formerr}, {@code notimp} and {@code malformed} (not a DNS query: dropped).
 */
final class DnsCounters {

    static final String QUERIES = "sallyport_dns_queries_total";

    final Stats.Counter local;
    final Stats.Counter localNoData;
    final Stats.Counter forwarded;
    final Stats.Counter servfail;
    final Stats.Counter formerr;
    final Stats.Counter notimp;
    final Stats.Counter malformed;
    /** Upstream packets that matched no query in flight (late, spoofed or duplicate answers). */
    final Stats.Counter upstreamUnmatched;

    DnsCounters(Stats stats) {
        local = stats.counter(QUERIES, "result", "local");
        localNoData = stats.counter(QUERIES, "result", "local_nodata");
        forwarded = stats.counter(QUERIES, "result", "forwarded");
        servfail = stats.counter(QUERIES, "result", "servfail");
        formerr = stats.counter(QUERIES, "result", "formerr");
        notimp = stats.counter(QUERIES, "result", "notimp");
        malformed = stats.counter(QUERIES, "result", "malformed");
        upstreamUnmatched = stats.counter("sallyport_dns_upstream_unmatched_total");
    }
}
