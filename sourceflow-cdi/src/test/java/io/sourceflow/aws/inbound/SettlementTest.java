package io.sourceflow.aws.inbound;

import io.sourceflow.aws.WireAttributes;
import io.sourceflow.aws.inbound.FakeSqsClient.Op;
import io.sourceflow.aws.inbound.InboundOutcome.Disposition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Settlement}'s decision table, one test per row, against a {@link FakeSqsClient} with the real
 * {@link DeleteBatcher}, {@link DeadLetterPublisher}, {@link VisibilityChanges} and {@link RetryBackoff}: handled and
 * duplicate messages are deleted; dead letters are sent to the DLQ, then deleted and counted, or retried when there is
 * no DLQ or the send fails; retries get the jittered backoff as visibility timeout; messages held elsewhere become
 * visible when the other instance's lease ends (at least 1 s, at most 12 h).
 */
class SettlementTest {

    private static final String QUEUE = "orders";
    private static final String QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders";
    private static final String DLQ_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dlq";

    private final FakeSqsClient sqs = new FakeSqsClient();
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final DeleteBatcher deletes = new DeleteBatcher(sqs, QUEUE, QUEUE_URL, executor, scheduler, Duration.ofMillis(1));
    private final AtomicInteger deadLettered = new AtomicInteger();
    private final Received message = Received.of(FakeSqsClient.message("m-1", null, 3), System.nanoTime());

    @AfterEach
    void shutDown() throws InterruptedException {
        scheduler.shutdownNow();
        executor.shutdownNow();
        assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void handledIsDeleted() {
        Disposition done = settlement(Optional.of(DLQ_URL)).settle(message, InboundOutcome.handled("ce-1"));
        deletes.flush(Duration.ofSeconds(5));

        assertThat(done).isEqualTo(Disposition.HANDLED);
        assertThat(sqs.deletedReceiptHandles()).containsExactly("rh-m-1");
        assertThat(sqs.deleteBatches()).singleElement().satisfies(b -> assertThat(b.queueUrl()).isEqualTo(QUEUE_URL));
        assertThat(sqs.visibilityChanges()).isEmpty();
        assertThat(sqs.sends()).isEmpty();
    }

    @Test
    void duplicateIsDeleted() {
        Disposition done = settlement(Optional.of(DLQ_URL)).settle(message, InboundOutcome.duplicate("ce-1"));
        deletes.flush(Duration.ofSeconds(5));

        assertThat(done).isEqualTo(Disposition.DUPLICATE);
        assertThat(sqs.deletedReceiptHandles()).containsExactly("rh-m-1");
        assertThat(sqs.visibilityChanges()).isEmpty();
    }

    @Test
    void deadLetterIsSentToTheDlqThenDeletedAndCounted() {
        Disposition done = settlement(Optional.of(DLQ_URL))
                .settle(message, InboundOutcome.deadLetter("ce-1", "MalformedJson", "not JSON at line 1", null));
        deletes.flush(Duration.ofSeconds(5));

        assertThat(done).isEqualTo(Disposition.DEAD_LETTER);
        SendMessageRequest sent = sqs.sends().get(0);
        assertThat(sqs.sends()).hasSize(1);
        assertThat(sent.queueUrl()).isEqualTo(DLQ_URL);
        assertThat(sent.messageBody()).isEqualTo("body of m-1");
        Map<String, MessageAttributeValue> attributes = sent.messageAttributes();
        assertThat(attributes.get(WireAttributes.DLQ_REASON).stringValue()).isEqualTo("MalformedJson");
        assertThat(attributes.get(WireAttributes.DLQ_MESSAGE_ID).stringValue()).isEqualTo("ce-1");
        assertThat(attributes.get(WireAttributes.DLQ_SOURCE_QUEUE).stringValue()).isEqualTo(QUEUE);
        assertThat(sqs.deletedReceiptHandles()).containsExactly("rh-m-1");
        assertThat(sqs.operations()).as("sent to the DLQ before the original is deleted")
                .containsExactly(Op.SEND, Op.DELETE_BATCH);
        assertThat(deadLettered).hasValue(1);
        assertThat(sqs.visibilityChanges()).isEmpty();
    }

    @Test
    void deadLetterWithoutDlqIsRetriedNotDeleted() {
        Disposition done = settlement(Optional.empty())
                .settle(message, InboundOutcome.deadLetter("ce-1", "UnknownType", "no handler", null));
        deletes.flush(Duration.ofSeconds(5));

        assertThat(done).isEqualTo(Disposition.RETRY);
        assertThat(sqs.deleteBatches()).isEmpty();
        assertThat(sqs.sends()).isEmpty();
        assertThat(sqs.visibilityChanges()).singleElement()
                .satisfies(c -> assertThat(c.receiptHandle()).isEqualTo("rh-m-1"));
        assertThat(deadLettered).hasValue(0);
    }

    @Test
    void deadLetterWhoseDlqSendFailsIsRetriedNotDeleted() {
        sqs.failNext(Op.SEND, 1);

        Disposition done = settlement(Optional.of(DLQ_URL))
                .settle(message, InboundOutcome.deadLetter("ce-1", "Rejected", "invalid order", null));
        deletes.flush(Duration.ofSeconds(5));

        assertThat(done).isEqualTo(Disposition.RETRY);
        assertThat(sqs.sends()).as("the attempted DLQ send").hasSize(1);
        assertThat(sqs.deleteBatches()).isEmpty();
        assertThat(sqs.visibilityChanges()).singleElement()
                .satisfies(c -> assertThat(c.receiptHandle()).isEqualTo("rh-m-1"));
        assertThat(deadLettered).hasValue(0);
    }

    @Test
    void retryBecomesVisibleAfterTheJitteredBackoff() {
        // receive 3: 1 s * 2^(3-1) = 4 s, jittered to between half and all of it
        Disposition done = settlement(Optional.of(DLQ_URL))
                .settle(message, InboundOutcome.retry("ce-1", new IllegalStateException("boom")));
        deletes.flush(Duration.ofSeconds(5));

        assertThat(done).isEqualTo(Disposition.RETRY);
        ChangeMessageVisibilityRequest change = singleVisibilityChange();
        assertThat(change.visibilityTimeout()).isBetween(2, 4);
        assertThat(sqs.deleteBatches()).isEmpty();
    }

    @Test
    void heldElsewhereBecomesVisibleWhenTheOtherLeaseEnds() {
        Disposition done = settlement(Optional.of(DLQ_URL))
                .settle(message, InboundOutcome.heldElsewhere("ce-1", Duration.ofSeconds(7)));

        assertThat(done).isEqualTo(Disposition.HELD_ELSEWHERE);
        assertThat(singleVisibilityChange().visibilityTimeout()).isEqualTo(7);
        deletes.flush(Duration.ofSeconds(5));
        assertThat(sqs.deleteBatches()).isEmpty();
    }

    @Test
    void heldElsewhereWithNoTimeLeftIsDelayedAtLeastOneSecond() {
        settlement(Optional.of(DLQ_URL)).settle(message, InboundOutcome.heldElsewhere("ce-1", Duration.ZERO));

        assertThat(singleVisibilityChange().visibilityTimeout()).isEqualTo(1);
    }

    @Test
    void heldElsewhereIsDelayedAtMostTwelveHours() {
        settlement(Optional.of(DLQ_URL)).settle(message, InboundOutcome.heldElsewhere("ce-1", Duration.ofDays(2)));

        assertThat(singleVisibilityChange().visibilityTimeout()).isEqualTo(43_200);
    }

    private Settlement settlement(Optional<String> dlq) {
        return new Settlement(QUEUE, dlq, deletes, new DeadLetterPublisher(sqs), new VisibilityChanges(sqs, QUEUE, QUEUE_URL),
                new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8)), 5, (queue, reason) -> {
                    assertThat(queue).isEqualTo(QUEUE);
                    deadLettered.incrementAndGet();
                });
    }

    private ChangeMessageVisibilityRequest singleVisibilityChange() {
        List<ChangeMessageVisibilityRequest> changes = sqs.visibilityChanges();
        assertThat(changes).hasSize(1);
        ChangeMessageVisibilityRequest change = changes.get(0);
        assertThat(change.queueUrl()).isEqualTo(QUEUE_URL);
        assertThat(change.receiptHandle()).isEqualTo("rh-m-1");
        return change;
    }
}
