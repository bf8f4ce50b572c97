package io.sourceflow.aws.inbound;

import io.sourceflow.aws.inbound.FakeSqsClient.Op;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link DeleteBatcher} against a {@link FakeSqsClient}: deletes go out in DeleteMessageBatch requests of at most 10
 * (entry ids "0".."9"), those arriving within the linger together; entries SQS reports as failed, and whole requests
 * that fail, are sent again later while entries that succeeded are not; {@code flush} sends what is pending at once
 * and returns only when the batches in flight are confirmed.
 */
class DeleteBatcherTest {

    private static final String QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final FakeSqsClient sqs = new FakeSqsClient();
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService testThreads = Executors.newSingleThreadExecutor();
    private final CountDownLatch unblock = new CountDownLatch(1);

    @AfterEach
    void shutDown() throws InterruptedException {
        unblock.countDown();
        for (ExecutorService service : List.of(testThreads, scheduler, executor)) {
            service.shutdownNow();
            assertThat(service.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void deletesGoOutInBatchesOfAtMostTen() {
        DeleteBatcher deletes = batcher(Duration.ofSeconds(2));

        IntStream.range(0, 25).forEach(i -> deletes.delete("rh-" + i, "m-" + i));

        await().atMost(WAIT).until(() -> sqs.deleteBatches().size() == 3);
        List<DeleteMessageBatchRequest> batches = sqs.deleteBatches();
        assertThat(batches).extracting(b -> b.entries().size()).containsExactlyInAnyOrder(10, 10, 5);
        assertThat(batches).allSatisfy(b -> {
            assertThat(b.queueUrl()).isEqualTo(QUEUE_URL);
            assertThat(b.entries()).extracting(DeleteMessageBatchRequestEntry::id)
                    .containsExactlyElementsOf(IntStream.range(0, b.entries().size()).mapToObj(Integer::toString).toList());
        });
        assertThat(sqs.deletedReceiptHandles()).containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, 25).mapToObj(i -> "rh-" + i).toList());
    }

    @Test
    void deletesWithinTheLingerGoOutAsOneBatch() {
        DeleteBatcher deletes = batcher(Duration.ofSeconds(2)); // room for three calls on a busy machine

        deletes.delete("rh-1", "m-1");
        deletes.delete("rh-2", "m-2");
        deletes.delete("rh-3", "m-3");

        await().atMost(WAIT).until(() -> !sqs.deleteBatches().isEmpty());
        deletes.flush(Duration.ofSeconds(5));
        assertThat(sqs.deleteBatches()).hasSize(1);
        assertThat(sqs.deletedReceiptHandles()).containsExactly("rh-1", "rh-2", "rh-3");
    }

    @Test
    void aFailedEntryIsRetriedAndTheSucceededOnesAreNot() {
        DeleteBatcher deletes = batcher(Duration.ofMillis(500));
        sqs.failEntriesOfNextCall(Op.DELETE_BATCH, false, "InternalError", "1");

        deletes.delete("rh-0", "m-0");
        deletes.delete("rh-1", "m-1");
        deletes.delete("rh-2", "m-2");

        await().atMost(WAIT).until(() -> sqs.deleteBatches().size() == 2);
        deletes.flush(Duration.ofSeconds(5));
        List<DeleteMessageBatchRequest> batches = sqs.deleteBatches();
        assertThat(batches).hasSize(2);
        assertThat(batches.get(0).entries()).extracting(DeleteMessageBatchRequestEntry::receiptHandle)
                .containsExactly("rh-0", "rh-1", "rh-2");
        assertThat(batches.get(1).entries()).as("the retry: only entry \"1\", which failed")
                .extracting(DeleteMessageBatchRequestEntry::receiptHandle).containsExactly("rh-1");
    }

    @Test
    void aFailedRequestIsRetried() {
        DeleteBatcher deletes = batcher(Duration.ofMillis(1));
        sqs.failNext(Op.DELETE_BATCH, 1);

        deletes.delete("rh-1", "m-1");

        await().atMost(WAIT).until(() -> sqs.deleteBatches().size() == 2);
        assertThat(sqs.deletedReceiptHandles()).containsExactly("rh-1", "rh-1");
    }

    @Test
    void flushSendsPendingDeletesAtOnce() {
        DeleteBatcher deletes = batcher(Duration.ofHours(1));

        deletes.delete("rh-1", "m-1");
        deletes.delete("rh-2", "m-2");
        assertThat(sqs.deleteBatches()).as("waiting for the linger").isEmpty();

        deletes.flush(Duration.ofSeconds(5));

        assertThat(sqs.deletedReceiptHandles()).containsExactly("rh-1", "rh-2");
    }

    @Test
    void flushReturnsOnlyWhenTheBatchesInFlightAreConfirmed() throws Exception {
        DeleteBatcher deletes = batcher(Duration.ofHours(1));
        CountDownLatch sending = new CountDownLatch(1);
        sqs.beforeEachCall(Op.DELETE_BATCH, request -> {
            sending.countDown();
            try {
                unblock.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // ten deletes fill a batch, which goes out at once on the executor, and SQS does not answer yet
        IntStream.range(0, 10).forEach(i -> deletes.delete("rh-" + i, "m-" + i));
        assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> flushed = CompletableFuture.runAsync(() -> deletes.flush(Duration.ofSeconds(30)), testThreads);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> !flushed.isDone());

        unblock.countDown();
        flushed.get(10, TimeUnit.SECONDS);
        assertThat(sqs.deleteBatches()).hasSize(1);
        assertThat(sqs.deletedReceiptHandles()).hasSize(10);
    }

    /**
     * A delete that fails during the stop flush is retried before {@code flush} returns: its retry used to be only
     * scheduled on the timer, which {@code SourceFlowExecutors} shuts down right after, so it was dropped.
     */
    @Test
    void flushRetriesADeleteThatFailedWhileFlushing() {
        DeleteBatcher deletes = batcher(Duration.ofHours(1));
        sqs.failNext(Op.DELETE_BATCH, 1);
        deletes.delete("rh-1", "m-1");

        deletes.flush(Duration.ofSeconds(10));

        assertThat(sqs.deletedReceiptHandles()).as("the failed attempt and its retry, before flush returned")
                .containsExactly("rh-1", "rh-1");
    }

    /**
     * A delete that failed before the stop and waits for its retry delay is sent by {@code flush} at once (issue 13,
     * item 7: {@code flush} did not see scheduled retries, and the timer's shutdown dropped them).
     */
    @Test
    void flushSendsARetryThatWasWaitingForItsDelay() {
        DeleteBatcher deletes = batcher(Duration.ofMillis(1));
        sqs.failNext(Op.DELETE_BATCH, 1);
        deletes.delete("rh-1", "m-1");
        await().atMost(Duration.ofSeconds(10)).until(() -> sqs.deleteBatches().size() == 1);
        scheduler.shutdownNow(); // as at application stop: the scheduled retry (500 ms later) never runs

        deletes.flush(Duration.ofSeconds(10));

        assertThat(sqs.deletedReceiptHandles()).as("the failed attempt, then its retry by flush").containsExactly("rh-1", "rh-1");
    }

    private DeleteBatcher batcher(Duration linger) {
        return new DeleteBatcher(sqs, "orders", QUEUE_URL, executor, scheduler, linger);
    }
}
