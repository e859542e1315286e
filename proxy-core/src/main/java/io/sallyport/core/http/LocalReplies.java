package io.sallyport.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Responses the proxy makes itself (Envoy's "local replies"): a short text body for HTTP, and for gRPC a
 * trailers-only response (HTTP 200, {@code grpc-status}, {@code grpc-message}, no body).
 */
final class LocalReplies {

    /** gRPC status codes used by the proxy. */
    static final int GRPC_DEADLINE_EXCEEDED = 4;
    static final int GRPC_PERMISSION_DENIED = 7;
    static final int GRPC_UNIMPLEMENTED = 12;
    static final int GRPC_INTERNAL = 13;
    static final int GRPC_UNAVAILABLE = 14;

    private LocalReplies() {
    }

    /** A plain-text reply; {@code close} adds {@code Connection: close} (HTTP/1 only). */
    static FullHttpResponse http(ByteBufAllocator alloc, HttpResponseStatus status, String body, boolean close,
                                 boolean head) {
        ByteBuf content = head ? Unpooled.EMPTY_BUFFER : ByteBufUtil.writeUtf8(alloc, body);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, head ? body.getBytes(StandardCharsets.UTF_8).length
                : content.readableBytes());
        if (close) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return r;
    }

    /** A trailers-only gRPC reply: status 200 with {@code grpc-status} and {@code grpc-message} in the only HEADERS. */
    static FullHttpResponse grpc(int grpcStatus, String message) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.EMPTY_BUFFER);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
        r.headers().setInt("grpc-status", grpcStatus);
        r.headers().set("grpc-message", percentEncode(message));
        return r;
    }

    /** The gRPC status a proxy-made HTTP error stands for. */
    static int grpcStatusFor(int httpStatus) {
        return switch (httpStatus) {
            case 504 -> GRPC_DEADLINE_EXCEEDED;
            case 502, 503 -> GRPC_UNAVAILABLE;
            case 403 -> GRPC_PERMISSION_DENIED;
            case 404 -> GRPC_UNIMPLEMENTED;
            default -> GRPC_INTERNAL;
        };
    }

    /** gRPC's percent-encoding of {@code grpc-message}: UTF-8, bytes outside 0x20..0x7E and '%' escaped. */
    static String percentEncode(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder(bytes.length);
        for (byte x : bytes) {
            int c = x & 0xff;
            if (c < 0x20 || c > 0x7e || c == '%') {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            } else {
                b.append((char) c);
            }
        }
        return b.toString();
    }
}
