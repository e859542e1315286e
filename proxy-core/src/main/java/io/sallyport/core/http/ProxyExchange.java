package io.sallyport.core.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request crossing the proxy, from its head to the end of its response, on the downstream channel's
 * event loop. It routes the request, takes an upstream connection or stream from the cluster's pool
 * (trying the next endpoint when a connect fails), streams both bodies with backpressure (a side is
 * read only while the other side can take more), enforces the timeouts, answers failures with local
 * replies, and writes the access-log entry and the cluster counters when it ends.
 *
 * <p>Retries: a request the upstream refused without processing it (HTTP/2 GOAWAY above its last stream
 * id, {@code REFUSED_STREAM}, or a reused HTTP/1.1 connection closed before any response byte) is sent
 * again on another connection, when its body so far fits in {@link #REPLAY_LIMIT}.
 */
final class ProxyExchange implements UpstreamListener, ExchangeDeadlines.Owner {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyExchange.class);

    /** Request body bytes kept for a retry; beyond it the request is not retried. */
    static final int REPLAY_LIMIT = 64 * 1024;
    private static final int MAX_RETRIES = 3;
    private static final io.netty.util.AsciiString X_FORWARDED_FOR = io.netty.util.AsciiString.cached("x-forwarded-for");
    private static final io.netty.util.AsciiString X_REQUEST_ID = io.netty.util.AsciiString.cached("x-request-id");
    private static final io.netty.util.AsciiString X_ENVOY_ORIGINAL_PATH =
            io.netty.util.AsciiString.cached("x-envoy-original-path");

    private final Downstream down;
    private final EventLoop loop;
    private final HttpRequest request;
    private final boolean http2Downstream;
    private final boolean grpc;
    private final boolean head;
    private final boolean clientKeepAlive;
    private final boolean requestHasBody;
    private final boolean clientIs10;

    // For the access log.
    private final long startMillis = System.currentTimeMillis();
    private final long startNanos = System.nanoTime();
    private final String method;
    private final String path;
    private final String authority;
    private String requestId;
    /** {@code x-forwarded-for} and {@code user-agent} once taken in {@link #prepareRequest}. */
    private boolean headersTaken;
    private String forwardedFor;
    private String userAgent;

    private HttpRoute route;
    private HttpClusterStats stats;
    private UpstreamPool pool;
    /** The pool hands out HTTP/1.1 connections (whose handler reports write failures), not HTTP/2 streams. */
    private boolean upstreamHttp1;
    private List<UpstreamEndpoint> endpoints;
    private int endpointIndex;
    private UpstreamEndpoint endpoint;
    private UpstreamLink upstream;
    private int retries;

    /** Body chunks read before the upstream was ready. */
    private List<HttpContent> pending;
    /** Body chunks already sent, kept for a retry while {@link #replayable} (both lists made when first needed). */
    private List<HttpContent> sent;
    /** The request ended with Netty's shared empty last content (kept for a retry as this flag, not in {@link #sent}). */
    private boolean sentEmptyLast;
    private long sentBytes;
    private boolean replayable = true;

    /** The client's {@code Upgrade} (WebSocket over HTTP/1.1 to an HTTP/1.1 cluster), else null. */
    private String upgrade;
    private boolean requestComplete;
    private boolean responseStarted;
    private boolean responseComplete;
    private boolean upstreamKeepAlive = true;
    private boolean closeDownstreamAfter;
    private boolean done;
    private boolean timedOut;
    private boolean waitingUpstreamWritable;
    private boolean waitingDownstreamWritable;
    private int responseCode;
    private StringBuilder flags;
    private long bytesReceived;
    private long bytesSent;
    private long firstResponseNanos = -1;
    private long lastActivityNanos = startNanos;
    private ChannelFuture lastWrite;

    // Timeouts: absolute System.nanoTime() deadlines, watched by the connection's ExchangeDeadlines.
    private ExchangeDeadlines deadlines;
    private ExchangeDeadlines.Entry deadlineEntry;
    private boolean hasMaxDuration;
    private long maxDurationAt;
    private boolean hasRequestDeadline;
    private long requestDeadlineAt;
    /** The stream idle timeout, 0 for none. */
    private long idleLimitNanos;
    private long grpcDeadlineNanos;

    ProxyExchange(Downstream down, HttpRequest request) {
        this.down = down;
        this.loop = down.connection().eventLoop();
        this.request = request;
        this.http2Downstream = down.isHttp2();
        HttpHeaders h = request.headers();
        String contentType = h.get(HttpHeaderNames.CONTENT_TYPE);
        this.grpc = contentType != null && contentType.regionMatches(true, 0, "application/grpc", 0, 16);
        this.head = HttpMethod.HEAD.equals(request.method());
        this.clientKeepAlive = http2Downstream || HttpUtil.isKeepAlive(request);
        this.requestHasBody = !(request instanceof FullHttpRequest)
                && (HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0);
        this.requestComplete = request instanceof FullHttpRequest;
        this.clientIs10 = !http2Downstream && HttpVersion.HTTP_1_0.equals(request.protocolVersion());
        this.method = request.method().name();
        String original = h.get(X_ENVOY_ORIGINAL_PATH);
        this.path = original != null ? original : request.uri();
        this.authority = authorityOf(request);
    }

    boolean requestComplete() {
        return requestComplete;
    }

    // ---- start -------------------------------------------------------------------------------------

    void start() {
        route = down.manager().route(authority == null ? "" : authority);
        if (route == null) {
            addFlag("NR");
            String domain = authority == null || authority.isEmpty() ? "(no host)" : hostOf(authority);
            localReply(503, "no route for domain " + domain);
            return;
        }
        stats = route.cluster().stats();
        stats.requestStarted();
        if (route.forbidden()) {
            // Mesh.routing.defaultForbidMeshExternalServiceAccess: refused as Envoy's RBAC filter does.
            addFlag("RBAC");
            localReply(403, "RBAC: access denied");
            return;
        }
        prepareRequest();
        HttpTimeouts t = route.timeouts();
        if (!t.maxStreamDuration().isZero()) {
            hasMaxDuration = true;
            maxDurationAt = startNanos + t.maxStreamDuration().toNanos();
        }
        if (grpc) {
            long grpcTimeout = GrpcTimeout.parseNanos(request.headers().get("grpc-timeout"));
            if (grpcTimeout > 0) {
                grpcDeadlineNanos = grpcTimeout;
                hasRequestDeadline = true;
                requestDeadlineAt = startNanos + grpcTimeout;
            }
        }
        if (!t.streamIdleTimeout().isZero()) {
            idleLimitNanos = t.streamIdleTimeout().toNanos();
        }
        if (requestComplete) {
            setRequestDeadline(startNanos);
        }
        armDeadlines();
        if (route.cluster().isClosed()) {
            addFlag("UH");
            localReply(503, "no healthy upstream");
            return;
        }
        pool = route.cluster().pool(loop);
        upstreamHttp1 = pool instanceof Http1ConnectionPool;
        endpoints = route.cluster().source().endpoints();
        if (endpoints.isEmpty()) {
            addFlag("UH");
            localReply(503, "no healthy upstream");
            return;
        }
        endpointIndex = 0;
        acquire();
    }

    private void prepareRequest() {
        HttpHeaders h = request.headers();
        if (!http2Downstream && route.cluster().protocol() == UpstreamHttpProtocol.HTTP1
                && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && "websocket".equalsIgnoreCase(h.get(HttpHeaderNames.UPGRADE))) {
            upgrade = h.get(HttpHeaderNames.UPGRADE);
        }
        if (http2Downstream && HttpUtil.is100ContinueExpected(request)) {
            // As for HTTP/1.1 (HttpServerExpectContinueHandler): the proxy says continue, the origin never sees it.
            h.remove(HttpHeaderNames.EXPECT);
            down.write(new io.netty.handler.codec.http.DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.CONTINUE, io.netty.buffer.Unpooled.EMPTY_BUFFER));
            down.flush();
        }
        HopByHopHeaders.strip(h);
        if (upgrade != null) {
            // WebSocket passthrough: the one hop-by-hop exchange that must reach the origin.
            h.set(HttpHeaderNames.UPGRADE, upgrade);
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
        if (requestHasBody && !HttpUtil.isContentLengthSet(request)) {
            // Framing for an HTTP/1.1 upstream; an HTTP/2 upstream drops it again.
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        // For the access log, read now while the headers are in the CPU caches, not at the end; nothing
        // changes them after this method (a retry resends them as they are).
        forwardedFor = h.get(X_FORWARDED_FOR);
        userAgent = h.get(HttpHeaderNames.USER_AGENT);
        headersTaken = true;
        requestId = h.get(X_REQUEST_ID);
        if (requestId == null) {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            requestId = new UUID(r.nextLong() & ~0xf000L | 0x4000L, r.nextLong() & ~(3L << 62) | (1L << 63)).toString();
            h.set(X_REQUEST_ID, requestId);
        }
        String uri = request.uri();
        if (uri.startsWith("http://") || uri.startsWith("https://")) {
            int slash = uri.indexOf('/', uri.indexOf("//") + 2);
            request.setUri(slash < 0 ? "/" : uri.substring(slash));
        }
        if (authority != null && !h.contains(HttpHeaderNames.HOST)) {
            h.set(HttpHeaderNames.HOST, authority);
        }
        if (!http2Downstream && request.protocolVersion() == HttpVersion.HTTP_1_0) {
            request.setProtocolVersion(HttpVersion.HTTP_1_1);
        }
    }

    private void acquire() {
        endpoint = endpoints.get(endpointIndex);
        if (upstreamHttp1) {
            // The usual case, a kept-alive connection: taken without a future.
            UpstreamLink idle = ((Http1ConnectionPool) pool).pollIdle(endpoint);
            if (idle != null) {
                onAcquired(idle);
                return;
            }
        }
        Future<UpstreamLink> f = pool.acquire(endpoint);
        if (f.isDone()) {
            onAcquired(f);
        } else {
            f.addListener(x -> onAcquired(f));
        }
    }

    private void onAcquired(Future<UpstreamLink> f) {
        if (!f.isSuccess()) {
            if (done) {
                return;
            }
            LOG.debug("connect to {} failed: {}", endpoint.describe(), f.cause().toString());
            if (++endpointIndex < endpoints.size()) {
                addFlag("URX");
                acquire();
            } else {
                addFlag("UF");
                localReply(503, "upstream connect error or disconnect/reset before headers. "
                        + "reset reason: connection failure");
            }
            return;
        }
        onAcquired(f.getNow());
    }

    private void onAcquired(UpstreamLink ch) {
        if (done) {
            pool.release(ch, false);
            return;
        }
        upstream = ch;
        ch.attach(this);
        if (route.autoHostRewrite()) {
            request.headers().set(HttpHeaderNames.HOST, endpoint.authority());
        }
        writeUpstream(request instanceof FullHttpRequest full ? full.retainedDuplicate() : request);
        if (sent != null) {
            for (HttpContent c : sent) {
                writeUpstream(c.retainedDuplicate());
            }
        }
        if (sentEmptyLast) {
            writeUpstream(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        if (pending != null) {
            for (HttpContent c : pending) {
                forward(c);
            }
            pending.clear();
        }
        if (!down.flushFollows()) {
            // Else the end of the client's read flushes: the request and its end (often in the same read) go
            // out in one flush (one TLS record), not two.
            ch.flush();
        }
        // The response is read as the downstream can take it; the first read starts it.
        ch.read();
        if (!requestComplete) {
            readDownstreamIfUpstreamWritable();
        }
    }

    /** A failed write comes back as {@link #onUpstreamException}: it fails the exchange like a broken connection. */
    private void writeUpstream(HttpObject msg) {
        upstream.write(msg);
    }

    // ---- request body ------------------------------------------------------------------------------

    void onRequestContent(HttpContent c) {
        lastActivityNanos = System.nanoTime();
        if (done || (responseComplete && !requestComplete)) {
            if (c instanceof LastHttpContent) {
                requestComplete = true;
            }
            c.release();
            return;
        }
        if (c.decoderResult().isFailure()) {
            c.release();
            addFlag("DPE");
            if (!responseStarted) {
                closeDownstreamAfter = true;
                localReply(400, "malformed request body");
            } else {
                resetDownstream();
            }
            return;
        }
        bytesReceived += c.content().readableBytes();
        if (c instanceof LastHttpContent last) {
            requestComplete = true;
            HopByHopHeaders.stripTrailers(last.trailingHeaders());
        }
        if (upstream == null) {
            if (pending == null) {
                pending = new ArrayList<>(2);
            }
            pending.add(c);
        } else {
            forward(c);
        }
        if (requestComplete && setRequestDeadline(lastActivityNanos)) {
            armDeadlines();
        }
    }

    private void forward(HttpContent c) {
        if (replayable) {
            sentBytes += c.content().readableBytes();
            if (sentBytes <= REPLAY_LIMIT) {
                if (c == LastHttpContent.EMPTY_LAST_CONTENT) {
                    sentEmptyLast = true; // a body-less request's end: nothing to keep
                } else {
                    if (sent == null) {
                        sent = new ArrayList<>(2);
                    }
                    sent.add(c.retainedDuplicate());
                }
            } else {
                dropReplay();
            }
        }
        writeUpstream(c);
    }

    void onDownstreamReadComplete() {
        if (done || upstream == null) {
            return;
        }
        upstream.flush();
        if (!requestComplete) {
            readDownstreamIfUpstreamWritable();
        }
    }

    private void readDownstreamIfUpstreamWritable() {
        if (upstream.isWritable()) {
            down.read();
        } else {
            waitingUpstreamWritable = true;
        }
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        if (writable && waitingUpstreamWritable && !done) {
            waitingUpstreamWritable = false;
            if (!requestComplete) {
                down.read();
            }
        }
    }

    // ---- response ----------------------------------------------------------------------------------

    @Override
    public void onUpstreamRead(HttpObject msg) {
        // Activity is stamped once per read, in onUpstreamReadComplete, not per message (a response is three).
        if (done || responseComplete) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            addFlag("UPE");
            upstreamKeepAlive = false;
            if (!responseStarted) {
                localReply(502, "upstream connect error or disconnect/reset before headers. "
                        + "reset reason: protocol error");
            } else {
                resetDownstream();
            }
            return;
        }
        if (msg instanceof HttpResponse resp) {
            int code = resp.status().code();
            if (code == 101 && upgrade != null && !http2Downstream) {
                switchProtocols(resp);
                return;
            }
            if (code >= 100 && code < 200) {
                // We answered the client's 100-continue ourselves; other interim responses stop here.
                ReferenceCountUtil.release(msg);
                return;
            }
            if (firstResponseNanos < 0) {
                firstResponseNanos = System.nanoTime();
            }
            dropReplay();
            prepareResponse(resp);
            responseCode = code;
            responseStarted = true;
        }
        if (msg instanceof HttpContent c) {
            bytesSent += c.content().readableBytes();
            if (msg instanceof LastHttpContent last) {
                HopByHopHeaders.stripTrailers(last.trailingHeaders());
            }
        }
        if (msg instanceof LastHttpContent) {
            if (http2Downstream) {
                lastWrite = down.write(msg);
            } else {
                // The HTTP/1.1 downstream closes after an empty write when it must: no future needed.
                down.writeAndForget(msg);
            }
            onResponseComplete();
        } else {
            down.writeAndForget(msg);
        }
    }

    /** The origin accepted the WebSocket upgrade: answer 101 and relay bytes from now on. */
    private void switchProtocols(HttpResponse resp) {
        String accepted = resp.headers().get(HttpHeaderNames.UPGRADE);
        HopByHopHeaders.strip(resp.headers());
        resp.headers().set(HttpHeaderNames.UPGRADE, accepted == null ? upgrade : accepted);
        resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        firstResponseNanos = System.nanoTime();
        dropReplay();
        responseCode = 101;
        responseStarted = true;
        responseComplete = true;
        UpstreamLink link = upstream;
        upstream = null;
        link.detach();
        Channel up = link.channel();
        down.write(resp);
        if (!(resp instanceof LastHttpContent)) {
            down.write(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        down.flush();
        done = true;
        endAndLog();
        down.upgraded(this);
        UpgradeTunnel.start(down.connection(), up);
    }

    private void prepareResponse(HttpResponse resp) {
        HttpHeaders h = resp.headers();
        upstreamKeepAlive &= HopByHopHeaders.stripAndCheckKeepAlive(resp);
        if (http2Downstream) {
            return;
        }
        int code = resp.status().code();
        boolean noBody = head || code == 204 || code == 304 || (code >= 100 && code < 200);
        if (resp instanceof FullHttpMessage full) {
            if (!noBody && !HttpUtil.isContentLengthSet(resp)) {
                HttpUtil.setContentLength(resp, full.content().readableBytes());
            }
        } else if (!noBody && !HttpUtil.isContentLengthSet(resp)) {
            if (clientVersion11()) {
                HttpUtil.setTransferEncodingChunked(resp, true);
            } else {
                // An HTTP/1.0 client: the body ends when the connection does.
                closeDownstreamAfter = true;
            }
        }
        if (!clientKeepAlive || closeDownstreamAfter) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!clientVersion11()) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        resp.setProtocolVersion(HttpVersion.HTTP_1_1);
    }

    private boolean clientVersion11() {
        return !clientIs10;
    }

    @Override
    public void onUpstreamReadComplete() {
        if (done) {
            return;
        }
        if (!responseComplete) {
            lastActivityNanos = System.nanoTime(); // the origin sent something: the stream is not idle
        }
        down.flush();
        if (upstream != null && !responseComplete) {
            if (down.isWritable()) {
                upstream.read();
            } else {
                waitingDownstreamWritable = true;
            }
        }
    }

    void onDownstreamWritabilityChanged(boolean writable) {
        if (writable && waitingDownstreamWritable && !done && upstream != null) {
            waitingDownstreamWritable = false;
            upstream.read();
        }
    }

    private void onResponseComplete() {
        responseComplete = true;
        // Not flushed here: counters and the log are written first, then exchangeDone flushes.
        if (!requestComplete) {
            // The client is still sending: its connection (or stream) cannot be reused.
            closeDownstreamAfter = true;
        }
        releaseUpstream(requestComplete && upstreamKeepAlive);
        finish();
    }

    // ---- failures ----------------------------------------------------------------------------------

    @Override
    public void onUpstreamInactive() {
        if (done || responseComplete) {
            return;
        }
        UpstreamLink ch = upstream;
        upstream = null;
        if (!responseStarted && ch != null && ch.isReused()
                && replayable && retries < MAX_RETRIES) {
            // A kept-alive connection the server closed as we reused it: nothing was processed.
            addFlag("URX");
            retry(ch);
            return;
        }
        if (ch != null) {
            pool.release(ch, false);
        }
        addFlag("UC");
        if (!responseStarted) {
            localReply(503, "upstream connect error or disconnect/reset before headers. "
                    + "reset reason: connection termination");
        } else {
            resetDownstream();
        }
    }

    @Override
    public void onUpstreamRefused() {
        if (done || responseStarted) {
            return;
        }
        if (replayable && retries < MAX_RETRIES) {
            addFlag("URX");
            retry(upstream);
        } else {
            addFlag("UC");
            UpstreamLink ch = upstream;
            upstream = null;
            if (ch != null) {
                pool.release(ch, false);
            }
            localReply(503, "upstream connect error or disconnect/reset before headers. "
                    + "reset reason: refused stream");
        }
    }

    private void retry(UpstreamLink failed) {
        retries++;
        if (failed != null) {
            failed.detach();
            pool.release(failed, false);
        }
        upstream = null;
        waitingUpstreamWritable = false;
        waitingDownstreamWritable = false;
        // Later, not now: the GOAWAY that refused us is still on its way to the pool's watcher.
        loop.execute(() -> {
            if (!done) {
                acquire();
            }
        });
    }

    @Override
    public void onUpstreamReset(long errorCode) {
        if (done || responseComplete) {
            return;
        }
        addFlag("UR");
        UpstreamLink ch = upstream;
        upstream = null;
        if (ch != null) {
            pool.release(ch, false);
        }
        if (!responseStarted) {
            localReply(503, "upstream connect error or disconnect/reset before headers. reset reason: remote reset");
        } else {
            resetDownstream();
        }
    }

    @Override
    public void onUpstreamException(Throwable cause) {
        if (done || responseComplete) {
            return;
        }
        LOG.debug("upstream {} failed: {}", endpoint == null ? "-" : endpoint.describe(), cause.toString());
        UpstreamLink ch = upstream;
        upstream = null;
        if (ch != null) {
            pool.release(ch, false);
        }
        boolean protocol = cause instanceof DecoderException || cause instanceof Http2Exception
                || cause.getCause() instanceof Http2Exception;
        addFlag(protocol ? "UPE" : "UC");
        if (!responseStarted) {
            localReply(protocol ? 502 : 503, "upstream connect error or disconnect/reset before headers. reset reason: "
                    + (protocol ? "protocol error" : "connection termination"));
        } else {
            resetDownstream();
        }
    }

    void onDownstreamClosed() {
        if (done) {
            return;
        }
        addFlag("DC");
        releaseUpstream(false);
        done = true;
        endAndLog();
    }

    // ---- timeouts ----------------------------------------------------------------------------------

    /** Starts the request timeout at {@code nowNanos} (the request's end); false when it has none or has one. */
    private boolean setRequestDeadline(long nowNanos) {
        if (route == null || done || responseComplete || grpcDeadlineNanos > 0 || hasRequestDeadline) {
            return false;
        }
        Duration t = route.timeouts().requestTimeout();
        if (t.isZero()) {
            return false;
        }
        hasRequestDeadline = true;
        requestDeadlineAt = nowNanos + t.toNanos();
        return true;
    }

    /** Puts this exchange in its connection's deadline list at its earliest deadline (idle: from the last activity). */
    private void armDeadlines() {
        long at = 0;
        boolean any = false;
        if (hasMaxDuration) {
            at = maxDurationAt;
            any = true;
        }
        if (hasRequestDeadline && (!any || requestDeadlineAt - at < 0)) {
            at = requestDeadlineAt;
            any = true;
        }
        if (idleLimitNanos > 0) {
            long idleAt = lastActivityNanos + idleLimitNanos;
            if (!any || idleAt - at < 0) {
                at = idleAt;
                any = true;
            }
        }
        if (!any) {
            if (deadlineEntry != null) {
                deadlines.remove(deadlineEntry);
            }
            return;
        }
        if (deadlineEntry == null) {
            deadlines = down.deadlines();
            deadlineEntry = new ExchangeDeadlines.Entry(this);
        }
        deadlines.schedule(deadlineEntry, at);
    }

    /** The earliest of the deadlines has come: the first one really passed times the exchange out. */
    @Override
    public void deadlineReached(long nowNanos) {
        if (done || responseComplete) {
            return;
        }
        String flag = null;
        long first = 0;
        if (hasMaxDuration && nowNanos - maxDurationAt >= 0) {
            flag = "UMSDR";
            first = maxDurationAt;
        }
        if (hasRequestDeadline && nowNanos - requestDeadlineAt >= 0 && (flag == null || requestDeadlineAt - first < 0)) {
            flag = "UT";
            first = requestDeadlineAt;
        }
        if (idleLimitNanos > 0) {
            long idleAt = lastActivityNanos + idleLimitNanos;
            if (nowNanos - idleAt >= 0 && (flag == null || idleAt - first < 0)) {
                flag = "SI";
            }
        }
        if (flag != null) {
            onTimeout(flag);
        } else {
            armDeadlines(); // activity since: the stream idle deadline moved on
        }
    }

    private void onTimeout(String flag) {
        if (done || responseComplete) {
            return;
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} timed out ({}): {}", method, path, flag, state());
        }
        timedOut = true;
        addFlag(flag);
        releaseUpstream(false);
        if (!responseStarted) {
            localReply(504, flag.equals("SI") ? "stream timeout" : "upstream request timeout");
        } else {
            resetDownstream();
        }
    }

    /** The exchange's flow state, for debug logs. */
    String state() {
        return "requestComplete=" + requestComplete + " responseStarted=" + responseStarted
                + " bytesReceived=" + bytesReceived + " bytesSent=" + bytesSent
                + " waitingUpstreamWritable=" + waitingUpstreamWritable
                + " waitingDownstreamWritable=" + waitingDownstreamWritable
                + " downstreamWritable=" + down.isWritable()
                + " upstream=" + (upstream == null ? "none" : (upstream.channel().isActive() + "/writable="
                + upstream.isWritable() + "/autoRead=" + upstream.channel().config().isAutoRead()));
    }

    // ---- endings -----------------------------------------------------------------------------------

    /** Answers the client with a proxy-made response (HTTP text, or gRPC trailers-only). */
    private void localReply(int status, String message) {
        if (done) {
            return;
        }
        if (responseStarted) {
            resetDownstream();
            return;
        }
        releaseUpstream(false);
        if (!requestComplete) {
            closeDownstreamAfter = true;
        }
        FullHttpResponse r;
        if (grpc) {
            r = LocalReplies.grpc(LocalReplies.grpcStatusFor(status), message);
            if (!http2Downstream) {
                HttpUtil.setContentLength(r, 0);
            }
        } else {
            r = LocalReplies.http(down.connection().alloc(), HttpResponseStatus.valueOf(status), message,
                    !http2Downstream && (closeDownstreamAfter || !clientKeepAlive), head);
            bytesSent += r.content().readableBytes();
        }
        responseCode = grpc ? 200 : status;
        responseStarted = true;
        responseComplete = true;
        lastWrite = down.write(r);
        finish();
    }

    /** Ends a response already under way: the client must see a failure, not a short success. */
    private void resetDownstream() {
        if (done) {
            return;
        }
        releaseUpstream(false);
        done = true;
        endAndLog();
        down.exchangeDone(this, false, null);
        down.abort();
    }

    private void releaseUpstream(boolean reusable) {
        UpstreamLink ch = upstream;
        upstream = null;
        if (ch != null) {
            pool.release(ch, reusable);
        }
    }

    private void finish() {
        if (done) {
            return;
        }
        done = true;
        endAndLog();
        boolean keepAlive = !http2Downstream && clientKeepAlive && requestComplete && !closeDownstreamAfter;
        down.exchangeDone(this, keepAlive, lastWrite);
    }

    private void endAndLog() {
        if (deadlineEntry != null) {
            deadlines.remove(deadlineEntry);
        }
        releaseAll(pending);
        dropReplay();
        long now = System.nanoTime();
        if (stats != null) {
            stats.requestEnded(responseComplete ? responseCode : 0, timedOut, now - startNanos);
        }
        HttpHeaders h = request.headers();
        down.manager().accessLog().log(new HttpAccessLogEntry(Instant.ofEpochMilli(startMillis), method, path,
                http2Downstream ? "HTTP/2" : (clientIs10 ? "HTTP/1.0" : "HTTP/1.1"),
                responseStarted ? responseCode : 0, flags == null ? "-" : flags.toString(),
                bytesReceived, bytesSent, TimeUnit.NANOSECONDS.toMillis(now - startNanos),
                firstResponseNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(firstResponseNanos - startNanos),
                headersTaken ? forwardedFor : h.get(X_FORWARDED_FOR),
                headersTaken ? userAgent : h.get(HttpHeaderNames.USER_AGENT), requestId, authority,
                endpoint == null ? null : endpoint.describe(),
                route == null ? null : route.cluster().name(), down.remoteAddress(),
                DownstreamPeer.uriSan(down.connection())));
        ReferenceCountUtil.release(request);
    }

    private void dropReplay() {
        if (replayable) {
            replayable = false;
            releaseAll(sent);
            sent = null;
            sentEmptyLast = false;
        }
    }

    private static void releaseAll(List<HttpContent> list) {
        if (list == null) {
            return;
        }
        for (HttpContent c : list) {
            ReferenceCountUtil.release(c);
        }
        if (!list.isEmpty()) {
            list.clear();
        }
    }

    private void addFlag(String flag) {
        if (flags == null) {
            flags = new StringBuilder(8);
        } else if (flags.indexOf(flag) >= 0) {
            return;
        } else {
            flags.append(',');
        }
        flags.append(flag);
    }

    private static String authorityOf(HttpRequest request) {
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host != null) {
            return host;
        }
        String uri = request.uri();
        int scheme = uri.indexOf("://");
        if (scheme > 0) {
            int start = scheme + 3;
            int end = uri.indexOf('/', start);
            return end < 0 ? uri.substring(start) : uri.substring(start, end);
        }
        return null;
    }

    /** The client's address, formatted once per downstream connection. */
    static String remoteAddress(Channel connection) {
        io.netty.util.Attribute<String> cached = connection.attr(REMOTE_ADDRESS);
        String s = cached.get();
        if (s == null) {
            s = formatRemoteAddress(connection);
            if (s != null) {
                cached.set(s);
            }
        }
        return s;
    }

    private static final io.netty.util.AttributeKey<String> REMOTE_ADDRESS =
            io.netty.util.AttributeKey.valueOf(ProxyExchange.class, "remoteAddress");

    private static String formatRemoteAddress(Channel ch) {
        java.net.SocketAddress a = ch.remoteAddress();
        if (a instanceof java.net.InetSocketAddress isa && isa.getAddress() != null) {
            String h = isa.getAddress().getHostAddress();
            return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + isa.getPort();
        }
        return a == null ? null : a.toString();
    }

    /** The host part of an authority (no port, no brackets). */
    static String hostOf(String authority) {
        if (authority.startsWith("[")) {
            int end = authority.indexOf(']');
            return end > 0 ? authority.substring(1, end) : authority;
        }
        int colon = authority.lastIndexOf(':');
        return colon > 0 && authority.indexOf(':') == colon ? authority.substring(0, colon) : authority;
    }
}
