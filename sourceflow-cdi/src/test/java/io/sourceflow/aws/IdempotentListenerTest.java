package io.sourceflow.aws;

import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.Handles;
import io.sourceflow.idempotency.InMemoryIdempotencyStore;
import io.sourceflow.spi.Claim;
import io.sourceflow.spi.ClaimOutcome;
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
import software.amazon.awssdk.services.sqs.model.Message;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The listener with the default in-memory idempotency store (and with an application's store bean), on ElasticMQ:
 * duplicates are deleted without running the handler and counted, a failure releases the claim so the retry runs,
 * and a message claimed by "another instance" waits for that claim's lease.
 */
@ExtendWith(ElasticMqExtension.class)
class IdempotentListenerTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    public record Once(String key) implements Command {}
    public record FailsFirst(String key) implements Command {}

    @Singleton
    public static class Probe {
        final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> successes = new ConcurrentHashMap<>();

        int attempt(String key) {
            return attempts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }

        void succeeded(String key) {
            successes.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }

        int attempts(String key) {
            AtomicInteger n = attempts.get(key);
            return n == null ? 0 : n.get();
        }

        int successes(String key) {
            AtomicInteger n = successes.get(key);
            return n == null ? 0 : n.get();
        }
    }

    @ApplicationScoped
    public static class Handlers {
        @Inject Probe probe;

        void on(@Handles Once once) {
            probe.attempt(once.key());
            probe.succeeded(once.key());
        }

        void on(@Handles FailsFirst command) {
            if (probe.attempt(command.key()) == 1) {
                throw new IllegalStateException("first attempt fails");
            }
            probe.succeeded(command.key());
        }
    }

    /** An application's own store bean (here the in-memory one, reachable by the test as "another instance"). */
    @ApplicationScoped
    public static class ApplicationStore {
        private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(1000);

        @Produces
        @ApplicationScoped
        IdempotencyStore store() {
            return store;
        }
    }

    private static Map<String, String> config(ElasticMqServer elasticMq, String queue, String... more) {
        Map<String, String> config = AwsTestConfig.emulator(elasticMq.endpoint());
        config.put("sourceflow.routes.commands." + Once.class.getSimpleName(), queue);
        config.put("sourceflow.routes.commands." + FailsFirst.class.getSimpleName(), queue);
        config.put("sourceflow.aws.visibility-timeout", "3s");
        config.put("sourceflow.aws.retry.initial-delay", "1s");
        for (int i = 0; i < more.length; i += 2) {
            config.put(more[i], more[i + 1]);
        }
        return config;
    }

    /** Sends {@code command} through a deployment whose listener is off, and takes it off the queue raw. */
    private static Message captured(ElasticMqServer elasticMq, String queue, SqsClient sqs, Command command) {
        try (CdiContainer sender = CdiContainer.start(config(elasticMq, queue, "sourceflow.aws.command-listener.enabled", "false"),
                Handlers.class, Probe.class)) {
            sender.select(CommandBus.class).send(command);
        }
        return RawMessages.takeOne(sqs, url(sqs, queue), Duration.ofSeconds(20));
    }

    private static String url(SqsClient sqs, String queue) {
        return sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
    }

    @Test
    void aDuplicateWithTheSameCloudEventsIdIsDeletedWithoutRunningTheHandlerAndCounted(ElasticMqServer elasticMq) {
        String queue = "idem-dup-" + AwsTestConfig.unique();
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            Message original = captured(elasticMq, queue, sqs, new Once("o-1"));
            String url = url(sqs, queue);
            RawMessages.sendCopy(sqs, url, original);
            RawMessages.sendCopy(sqs, url, original);
            try (CdiContainer consumer = CdiContainer.start(config(elasticMq, queue), Handlers.class, Probe.class)) {
                Probe probe = consumer.select(Probe.class);
                ProcessingStatistics statistics = consumer.select(ProcessingStatistics.class);
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(RawMessages.approximateCount(sqs, url)).isZero();
                    assertThat(statistics.duplicatesSkipped(queue)).isEqualTo(1);
                });
                assertThat(probe.attempts("o-1")).as("handler runs").isEqualTo(1);
                assertThat(statistics.duplicatesSkipped()).isEqualTo(1);
            }
        }
    }

    @Test
    void aFailedHandlerReleasesItsClaimSoTheRetryRunsAndSucceedsOnce(ElasticMqServer elasticMq) throws Exception {
        String queue = "idem-retry-" + AwsTestConfig.unique();
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs();
             CdiContainer consumer = CdiContainer.start(config(elasticMq, queue), Handlers.class, Probe.class)) {
            consumer.select(CommandBus.class).send(new FailsFirst("f-1"));
            Probe probe = consumer.select(Probe.class);
            String url = url(sqs, queue);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(probe.successes("f-1")).isEqualTo(1);
                assertThat(RawMessages.approximateCount(sqs, url)).isZero();
            });
            assertThat(probe.attempts("f-1")).isEqualTo(2);
            assertThat(consumer.select(ProcessingStatistics.class).duplicatesSkipped(queue))
                    .as("the retry was not mistaken for a duplicate").isZero();
        }
    }

    @Test
    void anApplicationStoreBeanIsUsedAndAMessageClaimedElsewhereWaitsForThatLease(ElasticMqServer elasticMq) {
        String queue = "idem-held-" + AwsTestConfig.unique();
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            Message original = captured(elasticMq, queue, sqs, new Once("h-1"));
            String url = url(sqs, queue);
            try (CdiContainer consumer = CdiContainer.start(config(elasticMq, queue, "sourceflow.aws.command-listener.enabled", "true"),
                    Handlers.class, Probe.class, ApplicationStore.class)) {
                IdempotencyStore store = consumer.select(IdempotencyStore.class);
                // "another instance" claimed it and crashed: nobody renews or releases this claim
                Claim abandoned = store.claim(queue, RawMessages.cloudEventId(original), Duration.ofSeconds(4));
                assertThat(abandoned.outcome()).isEqualTo(ClaimOutcome.CLAIMED);
                RawMessages.sendCopy(sqs, url, original);
                ProcessingStatistics statistics = consumer.select(ProcessingStatistics.class);
                Probe probe = consumer.select(Probe.class);
                await().atMost(WAIT).until(() -> statistics.heldElsewhere(queue) >= 1);
                assertThat(probe.attempts("h-1")).as("not run while the other claim is live").isZero();
                assertThat(RawMessages.approximateCount(sqs, url)).as("not deleted while the other claim is live").isEqualTo(1);
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(probe.successes("h-1")).isEqualTo(1);
                    assertThat(RawMessages.approximateCount(sqs, url)).isZero();
                });
                assertThat(store.claim(queue, RawMessages.cloudEventId(original), Duration.ofSeconds(4)).outcome())
                        .as("the application's store got the done mark").isEqualTo(ClaimOutcome.ALREADY_DONE);
            }
        }
    }
}
