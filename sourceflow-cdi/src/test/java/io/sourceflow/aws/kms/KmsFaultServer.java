package io.sourceflow.aws.kms;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A KMS endpoint that answers every request with one KMS error (AWS JSON 1.1 protocol), to test how
 * the real SDK's exceptions are classified for errors moto does not produce (throttling, internal
 * errors, disabled keys).
 */
final class KmsFaultServer implements AutoCloseable {

    private final HttpServer server;

    KmsFaultServer(int status, String errorCode) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] body = ("{\"__type\":\"" + errorCode + "\",\"message\":\"fault injected by the test\"}")
                .getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
            exchange.getResponseHeaders().add("x-amzn-RequestId", "test");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
