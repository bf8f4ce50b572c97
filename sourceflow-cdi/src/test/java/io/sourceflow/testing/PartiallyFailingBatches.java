package io.sourceflow.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpRequest;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes SQS answer a {@code SendMessageBatch} as it does when some entries fail and the rest succeed: the request goes
 * through a local HTTP server that takes out the entries whose body contains a marker (the next {@code times} times
 * one is seen), forwards the rest to the emulator, and adds the taken-out entries to the answer's {@code Failed} list
 * with the given code and fault. Arm it with {@link #rejectEntries}; add it to a deployment with {@link Bean}.
 */
public final class PartiallyFailingBatches implements ExecutionInterceptor, AutoCloseable {

    private static volatile PartiallyFailingBatches current;

    private final HttpServer server;
    private final URI emulator;
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicInteger remaining = new AtomicInteger();
    private final AtomicInteger rejected = new AtomicInteger();
    private volatile String marker = "\u0000";
    private volatile String code;
    private volatile boolean senderFault;

    public PartiallyFailingBatches(URI emulator) throws IOException {
        this.emulator = emulator;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
        current = this;
    }

    /** The next {@code times} batch entries whose body contains {@code marker} fail with this error. */
    public PartiallyFailingBatches rejectEntries(String marker, int times, String code, boolean senderFault) {
        this.code = code;
        this.senderFault = senderFault;
        this.marker = marker;
        remaining.set(times);
        return this;
    }

    /** How many entries were rejected. */
    public int rejected() {
        return rejected.get();
    }

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        if ("SendMessageBatch".equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))) {
            return context.httpRequest().toBuilder().protocol("http").host("127.0.0.1").port(server.getAddress().getPort()).build();
        }
        return context.httpRequest();
    }

    private void answer(HttpExchange exchange) throws IOException {
        try {
            JsonObject request = Json.createReader(new StringReader(
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))).readObject();
            JsonArrayBuilder forwarded = Json.createArrayBuilder();
            List<String> failedIds = new ArrayList<>();
            for (JsonValue value : request.getJsonArray("Entries")) {
                JsonObject entry = value.asJsonObject();
                if (entry.getString("MessageBody").contains(marker) && remaining.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    failedIds.add(entry.getString("Id"));
                } else {
                    forwarded.add(entry);
                }
            }
            JsonArrayBuilder successful = Json.createArrayBuilder();
            JsonArrayBuilder failed = Json.createArrayBuilder();
            JsonObject forwardRequest = Json.createObjectBuilder(request).add("Entries", forwarded).build();
            if (!forwardRequest.getJsonArray("Entries").isEmpty()) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(emulator)
                        .header("Content-Type", "application/x-amz-json-1.0")
                        .header("X-Amz-Target", exchange.getRequestHeaders().getFirst("X-Amz-Target"))
                        .POST(HttpRequest.BodyPublishers.ofString(forwardRequest.toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonObject answer = Json.createReader(new StringReader(response.body())).readObject();
                if (answer.containsKey("Successful")) {
                    answer.getJsonArray("Successful").forEach(successful::add);
                }
                if (answer.containsKey("Failed")) {
                    answer.getJsonArray("Failed").forEach(failed::add);
                }
            }
            for (String id : failedIds) {
                failed.add(Json.createObjectBuilder().add("Id", id).add("Code", code)
                        .add("Message", "simulated " + code).add("SenderFault", senderFault));
                rejected.incrementAndGet();
            }
            JsonObjectBuilder body = Json.createObjectBuilder().add("Successful", successful).add("Failed", failed);
            reply(exchange, 200, body.build().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply(exchange, 500, "{\"__type\":\"InternalError\",\"message\":\"interrupted\"}");
        } catch (RuntimeException e) {
            reply(exchange, 500, "{\"__type\":\"InternalError\",\"message\":\"" + e + "\"}");
        }
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        current = null;
    }

    /** Add this bean class to a deployment to put the latest {@link PartiallyFailingBatches} in front of its clients. */
    public static class Bean {
        @jakarta.enterprise.inject.Produces
        @jakarta.inject.Singleton
        ExecutionInterceptor partiallyFailingBatches() {
            return current;
        }
    }
}
