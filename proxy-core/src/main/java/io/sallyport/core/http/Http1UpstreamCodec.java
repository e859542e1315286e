package io.sallyport.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The HTTP/1.1 codec of an upstream connection: Netty's request encoder and response decoder, paired as
 * Netty's {@code HttpClientCodec} pairs them (the request method decides whether a response has a body:
 * none after {@code HEAD}, and a {@code 200} to {@code CONNECT} turns the connection into raw bytes), with
 * one difference: the decoder returns shared constants for the header names, protocol version, status code
 * and reason phrase that origins usually send, byte for byte as received, instead of a new string for each
 * of them in every response (about 0.5 KB less garbage per response; other names are decoded as before), and
 * the response's header and trailer fields are kept in {@link FlatHttpHeaders}. The usual response (a
 * {@code Content-Length} body, a plain head) does not go through Netty's decoder at all: its head is read by
 * {@link Http1ResponseHeadParser} and its body sliced here.
 */
final class Http1UpstreamCodec extends CombinedChannelDuplexHandler<HttpResponseDecoder, HttpRequestEncoder> {

    /** The methods of the requests sent and not answered yet, oldest first. */
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(4);
    /** A {@code CONNECT} succeeded: what follows is not HTTP. */
    private boolean tunnel;

    Http1UpstreamCodec(HttpDecoderConfig config) {
        init(new Decoder(config.clone().setHeadersFactory(flat(withKnownNames(config.getHeadersFactory())))
                .setTrailersFactory(flat(config.getTrailersFactory()))), new Encoder());
    }

    /**
     * {@code factory} making {@link FlatHttpHeaders} with the same validation: one object and one array per
     * response instead of a hash table and an entry per field, and for the trailer map the decoder makes for
     * every response, even one without trailers, only the object.
     */
    private static HttpHeadersFactory flat(HttpHeadersFactory factory) {
        return FlatHttpHeadersFactory.canReplace(factory)
                ? FlatHttpHeadersFactory.of((DefaultHttpHeadersFactory) factory) : factory;
    }

    /**
     * {@code factory} with its name validation skipped for the shared names (valid tokens, and the same
     * objects every time: an identity check is cheaper than validating each character again).
     */
    private static HttpHeadersFactory withKnownNames(HttpHeadersFactory factory) {
        if (!(factory instanceof DefaultHttpHeadersFactory f) || !f.isValidatingHeaderNames()) {
            return factory;
        }
        DefaultHeaders.NameValidator<CharSequence> validator = f.getNameValidator();
        return f.withNameValidator(name -> {
            if (!KnownTokens.isSharedName(name)) {
                validator.validateName(name);
            }
        });
    }

    private final class Encoder extends HttpRequestEncoder {
        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof HttpRequest req && !tunnel) {
                methods.offer(req.method());
            }
            super.encode(ctx, msg, out);
        }
    }

    /**
     * Netty's response decoder, with the usual response read by {@link Http1ResponseHeadParser} and its
     * {@code Content-Length} body sliced here, as Netty's decoder slices it. A response that parser leaves
     * alone, from its first byte to its end, is Netty's decoder's; between two responses that decoder holds
     * no state, so the two paths take turns on one connection.
     */
    private final class Decoder extends HttpResponseDecoder {

        /** Null when the headers factory is not a flat one (the parser makes flat maps). */
        private final Http1ResponseHeadParser heads;
        private final HttpHeadersFactory trailersFactory;
        private final int maxChunkSize;
        /** The body bytes of a parsed response still to come (0 outside such a body). */
        private long bodyLeft;
        /** Netty's decoder has started a response and not ended it yet: the bytes are its own until it does. */
        private boolean nettyInResponse;

        Decoder(HttpDecoderConfig config) {
            super(config);
            heads = config.getHeadersFactory() instanceof FlatHttpHeadersFactory f
                    ? new Http1ResponseHeadParser(f, config.getMaxHeaderSize()) : null;
            trailersFactory = config.getTrailersFactory();
            maxChunkSize = config.getMaxChunkSize();
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            if (tunnel) {
                int readable = actualReadableBytes();
                if (readable > 0) {
                    out.add(buffer.readRetainedSlice(readable));
                }
                return;
            }
            if (bodyLeft > 0) {
                readBody(buffer, out);
                return;
            }
            if (!nettyInResponse && heads != null && bodyFollowsMethod(methods.peek())) {
                HttpResponse r = heads.parse(buffer);
                if (r != null) {
                    methods.poll();
                    out.add(r);
                    bodyLeft = heads.contentLength();
                    if (bodyLeft == 0) {
                        out.add(LastHttpContent.EMPTY_LAST_CONTENT);
                    } else {
                        readBody(buffer, out);
                    }
                    return;
                }
            }
            int before = out.size();
            super.decode(ctx, buffer, out);
            // Once asked to start a response, Netty's decoder keeps it to the end, whatever it read so far.
            nettyInResponse = out.size() == before || !(out.get(out.size() - 1) instanceof LastHttpContent);
        }

        /** Whether the parser may read the answer to {@code method}: not with no request pending, nor to HEAD or CONNECT. */
        private boolean bodyFollowsMethod(HttpMethod method) {
            return method != null && !HttpMethod.HEAD.equals(method) && !HttpMethod.CONNECT.equals(method);
        }

        private void readBody(ByteBuf buffer, List<Object> out) {
            int n = (int) Math.min(Math.min(buffer.readableBytes(), maxChunkSize), bodyLeft);
            if (n == 0) {
                return;
            }
            ByteBuf content = buffer.readRetainedSlice(n);
            bodyLeft -= n;
            out.add(bodyLeft == 0 ? new DefaultLastHttpContent(content, trailersFactory) : new DefaultHttpContent(content));
        }

        @Override
        protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            if (bodyLeft > 0) {
                // The origin closed before the whole body: nothing more, as from Netty's decoder; the exchange
                // sees the connection end.
                bodyLeft = 0;
                return;
            }
            super.decodeLast(ctx, in, out);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            HttpResponse resp = (HttpResponse) msg;
            if (resp.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(msg); // an interim response answers no request by itself
            }
            HttpMethod method = methods.poll();
            if (method != null) {
                if (HttpMethod.HEAD.equals(method)) {
                    return true;
                }
                if (resp.status().code() == 200 && HttpMethod.CONNECT.equals(method)) {
                    tunnel = true;
                    methods.clear();
                    return true;
                }
            }
            return super.isContentAlwaysEmpty(msg);
        }

        @Override
        protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
            AsciiString known = KnownTokens.headerName(sb, start, length);
            return known != null ? known : super.splitHeaderName(sb, start, length);
        }

        @Override
        protected String splitFirstWordInitialLine(byte[] sb, int start, int length) {
            String known = KnownTokens.word(sb, start, length);
            return known != null ? known : super.splitFirstWordInitialLine(sb, start, length);
        }

        @Override
        protected String splitSecondWordInitialLine(byte[] sb, int start, int length) {
            String known = KnownTokens.word(sb, start, length);
            return known != null ? known : super.splitSecondWordInitialLine(sb, start, length);
        }

        @Override
        protected String splitThirdWordInitialLine(byte[] sb, int start, int length) {
            String known = KnownTokens.word(sb, start, length);
            return known != null ? known : super.splitThirdWordInitialLine(sb, start, length);
        }
    }

    /** The shared tokens, found by length then compared byte for byte (case included). */
    static final class KnownTokens {

        private static final AsciiString[][] NAMES = byLength(new String[] {
            "Server", "Date", "Content-Type", "Content-Length", "Last-Modified", "Connection", "ETag",
            "Accept-Ranges", "Transfer-Encoding", "Keep-Alive", "Cache-Control", "Vary", "Expires", "Location",
            "Content-Encoding", "Set-Cookie", "Age", "Via", "Pragma", "Access-Control-Allow-Origin",
            "Strict-Transport-Security", "X-Content-Type-Options",
            "server", "date", "content-type", "content-length", "last-modified", "connection", "etag",
            "accept-ranges", "transfer-encoding", "keep-alive", "cache-control", "vary", "expires", "location",
            "content-encoding", "set-cookie", "age", "via", "x-envoy-upstream-service-time", "grpc-status",
            "grpc-message"});
        private static final AsciiString[][] WORDS = byLength(new String[] {
            "HTTP/1.1", "HTTP/1.0", "200", "204", "206", "301", "302", "304", "400", "401", "403", "404", "500",
            "502", "503", "504", "OK", "No Content", "Partial Content", "Moved Permanently", "Found",
            "Not Modified", "Bad Request", "Unauthorized", "Forbidden", "Not Found", "Internal Server Error",
            "Bad Gateway", "Service Unavailable", "Gateway Timeout"});
        /** The words as strings, in the same places as in {@link #WORDS}. */
        private static final String[][] WORD_STRINGS = strings(WORDS);

        private KnownTokens() {
        }

        /**
         * The names in lower case, in the same places as in {@link #NAMES} (a common name as {@link Http2FieldNames}'
         * shared constant), so a parsed name is lower-cased for HTTP/2 by one identity look-up.
         */
        private static final AsciiString[][] LOWER_CASE_NAMES = lowerCase(NAMES);

        /** Whether {@code name} is one of the shared name objects (not merely equal to one). */
        static boolean isSharedName(CharSequence name) {
            return sharedIndex(name) >= 0;
        }

        /** {@code name} in lower case if it is one of the shared name objects, else {@code null}. */
        static AsciiString sharedLowerCase(CharSequence name) {
            int i = sharedIndex(name);
            return i < 0 ? null : LOWER_CASE_NAMES[name.length()][i];
        }

        /** Every shared name (tests). */
        static List<AsciiString> sharedNames() {
            List<AsciiString> all = new ArrayList<>();
            for (AsciiString[] row : NAMES) {
                all.addAll(Arrays.asList(row));
            }
            return all;
        }

        /** Where {@code name} is in its row of {@link #NAMES} if it is that very object, else -1. */
        private static int sharedIndex(CharSequence name) {
            int n = name.length();
            if (n < NAMES.length) {
                AsciiString[] row = NAMES[n];
                for (int i = 0; i < row.length; i++) {
                    if (row[i] == name) {
                        return i;
                    }
                }
            }
            return -1;
        }

        static AsciiString headerName(byte[] b, int start, int length) {
            int i = find(NAMES, b, start, length);
            return i < 0 ? null : NAMES[length][i];
        }

        static String word(byte[] b, int start, int length) {
            int i = find(WORDS, b, start, length);
            return i < 0 ? null : WORD_STRINGS[length][i];
        }

        private static int find(AsciiString[][] table, byte[] b, int start, int length) {
            if (length >= table.length) {
                return -1;
            }
            AsciiString[] candidates = table[length];
            for (int i = 0; i < candidates.length; i++) {
                byte[] c = candidates[i].array();
                int j = 0;
                while (j < length && c[j] == b[start + j]) {
                    j++;
                }
                if (j == length) {
                    return i;
                }
            }
            return -1;
        }

        private static AsciiString[][] byLength(String[] tokens) {
            int max = 0;
            for (String t : tokens) {
                max = Math.max(max, t.length());
            }
            AsciiString[][] table = new AsciiString[max + 1][0];
            for (String t : tokens) {
                AsciiString[] row = table[t.length()];
                AsciiString[] grown = Arrays.copyOf(row, row.length + 1);
                grown[row.length] = AsciiString.cached(t);
                table[t.length()] = grown;
            }
            return table;
        }

        private static AsciiString[][] lowerCase(AsciiString[][] table) {
            AsciiString[][] lower = new AsciiString[table.length][];
            for (int n = 0; n < table.length; n++) {
                lower[n] = new AsciiString[table[n].length];
                for (int i = 0; i < table[n].length; i++) {
                    lower[n][i] = Http2FieldNames.lowerCaseByTable(table[n][i]);
                }
            }
            return lower;
        }

        private static String[][] strings(AsciiString[][] table) {
            String[][] s = new String[table.length][];
            for (int n = 0; n < table.length; n++) {
                s[n] = new String[table[n].length];
                for (int i = 0; i < table[n].length; i++) {
                    s[n][i] = table[n][i].toString();
                }
            }
            return s;
        }
    }
}
