package io.sourceflow.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One AWS endpoint for a deployment ({@code sourceflow.aws.endpoint}) in front of two emulators: KMS
 * requests (header {@code X-Amz-Target: TrentService.*}) go to the KMS emulator and are counted per
 * operation as they reach the endpoint; every other request (SQS, SNS, STS) goes to the other emulator.
 * While {@link #kmsDown(boolean) KMS is down} it answers each KMS request with HTTP 500
 * {@code KMSInternalException}, as KMS does during an outage, while SQS and SNS keep working.
 */
public final class KmsProxy implements AutoCloseable {

    private static final Set<String> HOP_HEADERS = Set.of("host", "connection", "content-length", "expect",
            "transfer-encoding", "upgrade", "keep-alive", "te", "trailer", "proxy-connection");

    private final URI target;
    private final URI kmsTarget;
    private final java.util.Map<String, java.util.concurrent.atomic.LongAdder> kmsRequests = new java.util.concurrent.ConcurrentHashMap<>();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "kms-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicBoolean kmsDown = new AtomicBoolean();
    private final AtomicLong refused = new AtomicLong();

    /** KMS and everything else to one emulator (moto). */
    public KmsProxy(URI target) {
        this(target, target);
    }

    /** KMS to {@code kmsTarget} (moto), everything else to {@code target} (moto or ElasticMQ). */
    public KmsProxy(URI target, URI kmsTarget) {
        this.target = target;
        this.kmsTarget = kmsTarget;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The endpoint to configure as {@code sourceflow.aws.endpoint}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Starts or ends the KMS outage. */
    public void kmsDown(boolean down) {
        kmsDown.set(down);
    }

    /** KMS requests answered with an error so far. */
    public long refusedKmsRequests() {
        return refused.get();
    }

    /** KMS requests (HTTP requests, so SDK retries count) of one operation, e.g. {@code Decrypt}, that reached this endpoint. */
    public long kmsRequests(String operation) {
        java.util.concurrent.atomic.LongAdder adder = kmsRequests.get(operation);
        return adder == null ? 0 : adder.sum();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String amzTarget = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            boolean kms = amzTarget != null && amzTarget.startsWith("TrentService.");
            if (kms) {
                kmsRequests.computeIfAbsent(amzTarget.substring("TrentService.".length()),
                        k -> new java.util.concurrent.atomic.LongAdder()).increment();
            }
            if (kmsDown.get() && kms) {
                refused.incrementAndGet();
                byte[] error = "{\"__type\":\"KMSInternalException\",\"message\":\"KMS outage simulated by the test\"}"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
                exchange.sendResponseHeaders(500, error.length);
                exchange.getResponseBody().write(error);
                return;
            }
            HttpRequest.Builder request = HttpRequest.newBuilder((kms ? kmsTarget : target).resolve(exchange.getRequestURI().toString()))
                    .timeout(Duration.ofSeconds(60))
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase())) {
                    values.forEach(value -> request.header(name, value));
                }
            });
            HttpResponse<byte[]> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            response.headers().map().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase()) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, List.copyOf(values));
                }
            });
            byte[] answer = response.body();
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                exchange.getResponseBody().write(answer);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
