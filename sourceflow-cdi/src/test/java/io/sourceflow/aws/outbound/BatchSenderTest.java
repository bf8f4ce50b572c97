package io.sourceflow.aws.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.sourceflow.aws.OutboundMessage;
import io.sourceflow.aws.SendFailedException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The failure every message of a batch gets when its request failed as a whole. */
class BatchSenderTest {

    /** E.g. an open circuit breaker or a timeout of the fault-tolerance layer, which may carry no message. */
    @Test
    void aRequestFailureWithoutAMessageIsNamedByItsType() {
        OutboundMessage message = new OutboundMessage("m-1", "PlaceOrder", Optional.empty(), "{}", Map.of(), 2,
                new CompletableFuture<>());

        BatchSender.failAll(List.of(message), "queue orders", new IllegalStateException());

        assertThat(message.accepted()).isCompletedExceptionally();
        Throwable failure = message.accepted().handle((ok, e) -> e).join();
        assertThat(failure).isInstanceOf(SendFailedException.class)
                .hasMessage("Sending PlaceOrder m-1 to queue orders failed: IllegalStateException (no message)");
    }

    @Test
    void aRequestFailureWithAMessageKeepsIt() {
        OutboundMessage message = new OutboundMessage("m-2", "PlaceOrder", Optional.empty(), "{}", Map.of(), 2,
                new CompletableFuture<>());

        BatchSender.failAll(List.of(message), "queue orders", new CompletionException("connection refused", null));

        assertThat(message.accepted().handle((ok, e) -> e).join())
                .hasMessage("Sending PlaceOrder m-2 to queue orders failed: connection refused");
    }
}
