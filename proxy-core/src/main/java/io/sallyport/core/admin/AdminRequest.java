package io.sallyport.core.admin;

import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Map;

/** One admin request: method, path without the query, decoded query parameters and the body as text. */
public record AdminRequest(HttpMethod method, String path, Map<String, List<String>> params, String body) {

    public AdminRequest {
        params = Map.copyOf(params);
        body = body == null ? "" : body;
    }

    /** The first value of query parameter {@code name}, or {@code null}. */
    public String param(String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** True when the query asks for JSON ({@code ?format=json}). */
    public boolean wantsJson() {
        return "json".equals(param("format"));
    }
}
