package io.sourceflow.aws;

import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.EntityKey;
import io.sourceflow.Handles;
import io.sourceflow.idempotency.InMemoryIdempotencyStore;
import io.sourceflow.spi.Claim;
import io.sourceflow.spi.IdempotencyStore;
import io.sourceflow.testing.AwsClients;
import io.sourceflow.testing.AwsTestConfig;
import io.sourceflow.testing.CdiContainer;
import io.sourceflow.testing.ElasticMqExtension;
import io.sourceflow.testing.ElasticMqServer;
import io.sourceflow.testing.RawMessages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The listener never wedges: whatever a claim, a store transaction or its commit throws (checked exceptions thrown
 * sneakily, as JTA's {@code RollbackException} is, included), the message is retried later and its slot, handler count
 * and heartbeat are released. Driven end to end on ElasticMQ with one handler slot, so a leaked slot stops the queue.
 */
@ExtendWith(ElasticMqExtension.class)
class ListenerRecoverabilityTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    public record Job(String key) implements Command {}

    @Singleton
    public static class Done {
        final List<String> keys = new CopyOnWriteArrayList<>();
    }

    @ApplicationScoped
    public static class JobHandler {
        @Inject Done done;

        void on(@Handles Job job) {
            done.keys.add(job.key());
        }
    }

    /**
     * A store that joins transactions and whose first commit fails with a checked exception, thrown sneakily from
     * {@code inTransaction} (after the work ran, as a failed JTA commit does).
     */
    @ApplicationScoped
    public static class FailingCommitStore {
        static final AtomicInteger COMMITS_TO_FAIL = new AtomicInteger();
        private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(1000);
        private final ThreadLocal<List<Runnable>> pendingCompletes = ThreadLocal.withInitial(java.util.ArrayList::new);

        @Produces
        @ApplicationScoped
        IdempotencyStore store() {
            return new IdempotencyStore() {
                @Override
                public Claim claim(String consumer, String messageId, Duration lease) {
                    return store.claim(consumer, messageId, lease);
                }

                @Override
                public void complete(Claim claim, Duration ttl) {
                    // joins the transaction: the mark is written only if it commits
                    pendingCompletes.get().add(() -> store.complete(claim, ttl));
                }

                @Override
                public void release(Claim claim) {
                    store.release(claim);
                }

                @Override
                public boolean renew(Claim claim, Duration lease) {
                    return store.renew(claim, lease);
                }

                @Override
                public boolean joinsTransactions() {
                    return true;
                }

                @Override
                public <T> T inTransaction(Supplier<T> work) {
                    pendingCompletes.get().clear();
                    try {
                        T result = work.get();
                        if (COMMITS_TO_FAIL.getAndDecrement() > 0) {
                            throw Sneaky.<RuntimeException>sneak(new jakarta.transaction.RollbackException("commit failed: deferred constraint"));
                        }
                        pendingCompletes.get().forEach(Runnable::run);
                        return result;
                    } finally {
                        pendingCompletes.remove();
                    }
                }
            };
        }
    }

    /** Throws a checked exception without declaring it, as an interceptor's proxy does. */
    static final class Sneaky {
        @SuppressWarnings("unchecked")
        static <E extends Throwable> E sneak(Throwable t) throws E {
            throw (E) t;
        }
    }

    public record Step(@EntityKey String group, int n) implements Command {}

    @Singleton
    public static class StepGate {
        final CountDownLatch release = new CountDownLatch(1);
        /** Never opened: the later steps take a while, as real work does, while the test's other consumer polls. */
        final CountDownLatch never = new CountDownLatch(1);
        final List<Integer> ran = new CopyOnWriteArrayList<>();
    }

    @ApplicationScoped
    public static class StepHandler {
        @Inject StepGate gate;

        void on(@Handles Step step) throws InterruptedException {
            gate.ran.add(step.n());
            if (step.n() == 1) {
                gate.release.await(2, TimeUnit.MINUTES);
            } else {
                gate.never.await(1500, TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * Issue 13, item 4: messages 2 and 3 of a FIFO group, received with message 1, waited locally while 1 ran, without a
     * heartbeat; their visibility ran out, and once 1 was deleted another consumer received them too.
     */
    @Test
    void fifoMessagesWaitingBehindTheirGroupsHeadStayInvisibleUntilTheirTurn(ElasticMqServer elasticMq) throws Exception {
        String queue = "steps-" + AwsTestConfig.unique() + ".fifo";
        Map<String, String> config = AwsTestConfig.emulator(elasticMq.endpoint());
        config.put("sourceflow.routes.commands.Step", queue);
        // 3 s: the heartbeat extends a message with half of it (1.5 s) left, a margin a busy machine keeps
        config.put("sourceflow.aws.visibility-timeout", "3s");
        config.put("sourceflow.aws.max-concurrent-messages", "10"); // one receive takes all three
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            Map<String, String> sendOnly = new java.util.HashMap<>(config);
            sendOnly.put("sourceflow.aws.command-listener.enabled", "false");
            try (CdiContainer sender = CdiContainer.start(sendOnly, StepHandler.class, StepGate.class)) {
                CommandBus bus = sender.select(CommandBus.class);
                for (int n = 1; n <= 3; n++) {
                    bus.send(new Step("g", n));
                }
            }
            String url = sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
            try (CdiContainer app = CdiContainer.start(config, StepHandler.class, StepGate.class)) {
                StepGate gate = app.select(StepGate.class);
                await().atMost(WAIT).until(() -> gate.ran.contains(1));
                // messages 2 and 3 came with 1 and wait for it; this listener receives nothing more, so the test's own
                // consumer is the only other one: it polls while message 1 runs for three visibility timeouts, and after
                ListenerControl listeners = app.select(ListenerControl.class);
                listeners.pause(queue);
                assertThat(listeners.awaitPaused(queue, WAIT)).isTrue();
                List<String> stolen = new CopyOnWriteArrayList<>();
                long releaseAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(9);
                while (System.nanoTime() < releaseAt) {
                    sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1).visibilityTimeout(60))
                            .messages().forEach(m -> stolen.add(m.body()));
                }
                gate.release.countDown();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < until && !(gate.ran.size() >= 3 && RawMessages.approximateCount(sqs, url) == 0)) {
                    sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1).visibilityTimeout(60))
                            .messages().forEach(m -> stolen.add(m.body()));
                }
                assertThat(stolen).as("no other consumer got a message of the group while this one held it").isEmpty();
                assertThat(gate.ran).containsExactly(1, 2, 3);
            }
        }
    }

    public record Slow(String key) implements Command {}

    @Singleton
    public static class SlowRuns {
        final AtomicInteger runs = new AtomicInteger();
        final CountDownLatch never = new CountDownLatch(1);
    }

    @ApplicationScoped
    public static class SlowHandler {
        @Inject SlowRuns slow;

        void on(@Handles Slow command) throws InterruptedException {
            slow.runs.incrementAndGet();
            slow.never.await(10, TimeUnit.SECONDS); // work that outlasts the queue's 4 s visibility timeout
        }
    }

    /**
     * Issue 13, item 5: with provisioning off the queue's own VisibilityTimeout (4 s here) was never read, so the
     * heartbeat was timed from the configured 30 s: the message became visible while its handler ran and was received
     * again. The listener now times the heartbeat and the claim from the shorter of the two.
     */
    @Test
    void aQueueWhoseVisibilityTimeoutIsShorterThanConfiguredIsHeartbeatedOnItsOwnClock(ElasticMqServer elasticMq) {
        String queue = "short-" + AwsTestConfig.unique();
        Map<String, String> config = AwsTestConfig.emulator(elasticMq.endpoint());
        config.put("sourceflow.routes.commands.Slow", queue);
        config.put("sourceflow.aws.provisioning", "off");
        config.put("sourceflow.aws.visibility-timeout", "30s");
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            sqs.createQueue(r -> r.queueName(queue).attributesWithStrings(Map.of("VisibilityTimeout", "4")));
            try (CdiContainer app = CdiContainer.start(config, SlowHandler.class, SlowRuns.class)) {
                app.select(CommandBus.class).send(new Slow("s-1"));
                String url = sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
                SlowRuns slow = app.select(SlowRuns.class);
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(slow.runs).hasValue(1);
                    assertThat(RawMessages.approximateCount(sqs, url)).isZero();
                });
                assertThat(app.select(ProcessingStatistics.class).heldElsewhere(queue))
                        .as("never received again while its handler ran").isZero();
                assertThat(slow.runs).hasValue(1);
            }
        }
    }

    @Test
    void aCheckedExceptionFromTheStoresCommitRetriesTheMessageAndFreesItsSlot(ElasticMqServer elasticMq) {
        String queue = "wedge-" + AwsTestConfig.unique();
        Map<String, String> config = AwsTestConfig.emulator(elasticMq.endpoint());
        config.put("sourceflow.routes.commands." + Job.class.getSimpleName(), queue);
        config.put("sourceflow.aws.max-concurrent-messages", "1");
        config.put("sourceflow.aws.visibility-timeout", "3s");
        config.put("sourceflow.aws.retry.initial-delay", "1s");
        FailingCommitStore.COMMITS_TO_FAIL.set(1);
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs();
             CdiContainer app = CdiContainer.start(config, JobHandler.class, Done.class, FailingCommitStore.class)) {
            CommandBus bus = app.select(CommandBus.class);
            bus.send(new Job("first"));
            bus.send(new Job("second"));
            Done done = app.select(Done.class);
            String url = sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(done.keys).contains("second");
                assertThat(done.keys).as("the message whose commit failed ran again").hasSize(3);
                assertThat(RawMessages.approximateCount(sqs, url)).isZero();
            });
        }
    }

    /**
     * Issue 13, item 8: a receive still in progress when the listener stopped returned its messages after the stop had
     * given up waiting for it (after {@code shutdown-timeout}), when the SQS client was already closed: they could not be
     * released and stayed invisible for their whole visibility timeout. Stopping now waits for the receive (at most
     * {@code wait-time}) and releases every message received but not started while the client is open.
     */
    @Test
    void messagesOfAReceiveThatReturnsWhileStoppingAreReleasedBeforeTheClientsClose(ElasticMqServer elasticMq) throws Exception {
        String queue = "stop-" + AwsTestConfig.unique();
        Map<String, String> config = AwsTestConfig.emulator(elasticMq.endpoint());
        config.put("sourceflow.routes.commands." + Job.class.getSimpleName(), queue);
        config.put("sourceflow.aws.wait-time", "10s");
        config.put("sourceflow.aws.shutdown-timeout", "1s");
        config.put("sourceflow.aws.visibility-timeout", "120s");
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            CdiContainer app = CdiContainer.start(config, JobHandler.class, Done.class);
            Done done = app.select(Done.class);
            TransportStatus status = app.select(TransportStatus.class);
            Instant before = status.pollers().get(0).lastPoll();
            // an empty queue's receives come back after wait-time, and the next starts at once: right after one came back,
            // the poller is ~10 s away from the end of its next receive
            await().atMost(WAIT).until(() -> status.pollers().get(0).lastPoll().isAfter(before));
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(app::close);
            // past shutdown-timeout (1 s), which the old stop waited at most before closing the clients, and well
            // within the receive's 10 s: the messages reach the receive in progress
            Thread.sleep(2_000);
            String url = sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
            for (int i = 0; i < 3; i++) {
                sqs.sendMessage(r -> r.queueUrl(url).messageBody("{}"));
            }
            stopped.get(60, TimeUnit.SECONDS);
            assertThat(done.keys).as("nothing ran while stopping").isEmpty();
            // released at once, not after their 120 s visibility timeout
            List<String> back = new CopyOnWriteArrayList<>();
            await().atMost(WAIT).until(() -> {
                sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1))
                        .messages().forEach(m -> back.add(m.messageId()));
                return back.size() >= 3;
            });
            assertThat(back).hasSize(3);
        }
    }

    /**
     * A store whose first claim comes back with its lease already spent (as after a claim round trip slower than the
     * lease, under load) and already taken over by another instance (renewing it fails).
     */
    @ApplicationScoped
    public static class SlowClaimStore {
        static final AtomicInteger SPENT_CLAIMS = new AtomicInteger();
        static final Set<String> SPENT_OWNERS = ConcurrentHashMap.newKeySet();
        private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(1000);

        @Produces
        @ApplicationScoped
        IdempotencyStore store() {
            return new IdempotencyStore() {
                @Override
                public Claim claim(String consumer, String messageId, Duration lease) {
                    Claim claim = store.claim(consumer, messageId, lease);
                    if (claim.claimed() && SPENT_CLAIMS.getAndDecrement() > 0) {
                        SPENT_OWNERS.add(claim.owner());
                        store.release(claim); // what the other instance's take-over amounts to, for this owner
                        return new Claim(consumer, messageId, claim.outcome(), claim.owner(), Instant.now().minusMillis(100));
                    }
                    return claim;
                }

                @Override
                public void complete(Claim claim, Duration ttl) {
                    store.complete(claim, ttl);
                }

                @Override
                public void release(Claim claim) {
                    store.release(claim);
                }

                @Override
                public boolean renew(Claim claim, Duration lease) {
                    return !SPENT_OWNERS.contains(claim.owner()) && store.renew(claim, lease);
                }
            };
        }
    }

    /**
     * Issue 16, item 1 (found with two CPU hogs): a claim that came back with its lease already spent ran its handler,
     * although another instance could take the message over at once (MariaDbListenerIdempotencyTest ran the handler
     * twice that way). Such a claim is renewed before the handler starts, and the handler does not run if that fails.
     */
    @Test
    void aClaimWhoseLeaseWasSpentBeforeItReturnedDoesNotRunItsHandler(ElasticMqServer elasticMq) {
        String queue = "spent-" + AwsTestConfig.unique();
        Map<String, String> config = AwsTestConfig.emulator(elasticMq.endpoint());
        config.put("sourceflow.routes.commands." + Job.class.getSimpleName(), queue);
        config.put("sourceflow.aws.visibility-timeout", "3s");
        SlowClaimStore.SPENT_CLAIMS.set(1);
        SlowClaimStore.SPENT_OWNERS.clear();
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs();
             CdiContainer app = CdiContainer.start(config, JobHandler.class, Done.class, SlowClaimStore.class)) {
            app.select(CommandBus.class).send(new Job("once"));
            Done done = app.select(Done.class);
            String url = sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(done.keys).contains("once");
                assertThat(RawMessages.approximateCount(sqs, url)).isZero();
            });
            assertThat(SlowClaimStore.SPENT_OWNERS).as("the spent claim was made").hasSize(1);
            assertThat(done.keys).as("run once, by a live claim, not by the spent one").containsExactly("once");
            assertThat(app.select(ProcessingStatistics.class).heldElsewhere(queue)).isEqualTo(1);
        }
    }
}
