package io.sallyport.e2e;

import io.sallyport.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/** A client for a child process's admin API on 127.0.0.1. */
public final class AdminClient {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final int port;

    public AdminClient(int port) {
        this.port = port;
    }

    public HttpResponse<String> get(String path) {
        return send("GET", path);
    }

    public HttpResponse<String> post(String path) {
        return send("POST", path);
    }

    public HttpResponse<String> send(String method, String path) {
        URI uri = URI.create("http://127.0.0.1:" + port + path);
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        try {
            return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Polls {@code GET path} (briefly, the child process changes on its own schedule) until the body
     * satisfies {@code condition}; returns that body, or fails with the last one after {@code timeout}.
     */
    public String awaitBody(String path, Predicate<String> condition, Duration timeout) {
        String[] last = new String[1];
        try {
            if (Await.until(() -> condition.test(last[0] = get(path).body()), timeout)) {
                return last[0];
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        throw new AssertionError("GET " + path + " never matched within " + timeout + "; last body:\n" + last[0]);
    }
}
