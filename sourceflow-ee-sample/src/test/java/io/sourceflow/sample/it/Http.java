package io.sourceflow.sample.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Small HTTP client helpers for the deployment tests. */
final class Http {

    /**
     * HTTP/1.1, as curl and most clients speak it. The JDK client's default (HTTP/2, over plain HTTP an h2c upgrade of
     * each new connection) made Open Liberty's request threads hang writing their HTTP/2 answers when four clients
     * opened their connections at once: the POSTs timed out, and with the threads stuck the server's executor ran
     * nothing else (no message was sent or handled) for minutes.
     */
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {
    }

    /** A response: status, content type and body. */
    record Answer(int status, String contentType, String body) {
        JsonObject json() {
            try (JsonReader reader = Json.createReader(new StringReader(body))) {
                return reader.readObject();
            } catch (RuntimeException e) {
                throw new AssertionError("not a JSON object (" + status + ", " + contentType + "): " + body, e);
            }
        }
    }

    static Answer get(URI uri) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build());
    }

    static Answer post(URI uri, String contentType, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Content-Type", contentType)
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static Answer send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body());
    }

    /**
     * Waits until {@code probe} (an unknown order) gets the sample's own 404 problem answer: then the application,
     * not just the server, is serving.
     */
    static void awaitUp(URI probe, Duration timeout, SampleServer server) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            java.util.List<String> errors = server.errorLines();
            if (!errors.isEmpty()) {
                throw new IllegalStateException("the sample failed to start on " + server + ":\n  "
                        + String.join("\n  ", errors.subList(0, Math.min(5, errors.size()))));
            }
            try {
                Answer answer = get(probe);
                if (answer.status() == 404 && answer.contentType().startsWith("application/problem+json")) {
                    return;
                }
                last = answer.status() + " " + answer.contentType();
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the sample did not come up at " + probe + " within " + timeout
                + " (last: " + last + "); see " + server.logFile());
    }
}
