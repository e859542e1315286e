package io.sallyport.core.admin;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What an admin handler answers. {@code afterSent} runs once the response has been written to the
 * socket (used by {@code /quitquitquit} so the caller gets its answer before the process stops).
 */
public record AdminResponse(int status, String contentType, byte[] body, Runnable afterSent) {

    public static final String TEXT = "text/plain; charset=utf-8";
    public static final String JSON = "application/json";
    public static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    public AdminResponse {
        Objects.requireNonNull(contentType, "contentType");
        body = body == null ? new byte[0] : body;
    }

    public static AdminResponse text(int status, String text) {
        return new AdminResponse(status, TEXT, text.getBytes(StandardCharsets.UTF_8), null);
    }

    public static AdminResponse ok(String text) {
        return text(200, text);
    }

    public static AdminResponse json(String json) {
        return new AdminResponse(200, JSON, json.getBytes(StandardCharsets.UTF_8), null);
    }

    /** The same response, with {@code action} to run after it was sent. */
    public AdminResponse thenRun(Runnable action) {
        return new AdminResponse(status, contentType, body, action);
    }
}
