package io.sourceflow.testing;

import com.sun.net.httpserver.HttpServer;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpRequest;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the next N calls of one AWS operation fail with a real HTTP error answer: an
 * {@link ExecutionInterceptor} sends those requests to a local HTTP server that answers with the given
 * status and AWS JSON error code (SQS speaks the AWS JSON protocol); the other requests go to the emulator.
 * Nothing of a failed request reaches the emulator. Arm it with {@link #failNext}; add it as a CDI bean
 * through a producer (see {@link Bean}).
 */
public final class FailingEndpoint implements ExecutionInterceptor, AutoCloseable {

    private final HttpServer server;
    private final AtomicInteger remaining = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private volatile String operation = "";
    private volatile int status;
    private volatile String errorCode;

    private static volatile FailingEndpoint current;

    public FailingEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = ("{\"__type\":\"" + errorCode + "\",\"message\":\"simulated " + errorCode + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
            exchange.getResponseHeaders().add("x-amzn-query-error", errorCode + ";" + (status >= 500 ? "Receiver" : "Sender"));
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            answered.incrementAndGet();
        });
        server.start();
        current = this;
    }

    /** The next {@code count} calls of {@code operation} (e.g. {@code SendMessageBatch}) fail with this answer. */
    public FailingEndpoint failNext(String operation, int count, int status, String errorCode) {
        this.operation = operation;
        this.status = status;
        this.errorCode = errorCode;
        remaining.set(count);
        return this;
    }

    /** How many failures were answered. */
    public int answered() {
        return answered.get();
    }

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        if (operation.equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))
                && remaining.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return context.httpRequest().toBuilder().protocol("http").host("127.0.0.1").port(server.getAddress().getPort()).build();
        }
        return context.httpRequest();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** Add this bean class to a deployment to put the latest {@link FailingEndpoint} in front of its clients. */
    public static class Bean {
        @jakarta.enterprise.inject.Produces
        @jakarta.inject.Singleton
        ExecutionInterceptor failingEndpoint() {
            return current;
        }
    }
}
