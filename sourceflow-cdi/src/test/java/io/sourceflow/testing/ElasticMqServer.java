package io.sourceflow.testing;

import java.net.URI;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

/**
 * An embedded ElasticMQ (SQS only) bound to 127.0.0.1 on a free port.
 *
 * <p>Quirk: ElasticMQ's queue ARNs use the region {@code elasticmq}
 * ({@code arn:aws:sqs:elasticmq:000000000000:name}), whatever region the client uses; read ARNs
 * back with GetQueueAttributes instead of building them.
 */
public final class ElasticMqServer implements AutoCloseable {

    private final int port;
    private final SQSRestServer server;
    private boolean closed;

    private ElasticMqServer(int port, SQSRestServer server) {
        this.port = port;
        this.server = server;
    }

    /** Starts ElasticMQ and waits until it is bound. */
    public static ElasticMqServer start() {
        int port = MotoServer.freePort();
        SQSRestServer server = SQSRestServerBuilder.withInterface("127.0.0.1").withPort(port).start();
        server.waitUntilStarted();
        return new ElasticMqServer(port, server);
    }

    /** The endpoint override for an SQS client. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            server.stopAndWait();
        }
    }

    @Override
    public String toString() {
        return "ElasticMqServer[" + endpoint() + "]";
    }
}
