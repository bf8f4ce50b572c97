package io.sourceflow.health;

import io.smallrye.health.SmallRyeHealthReporter;
import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.Handles;
import io.sourceflow.aws.TransportStatus;
import io.sourceflow.testing.AwsClients;
import io.sourceflow.testing.AwsTestConfig;
import io.sourceflow.testing.CdiContainer;
import io.sourceflow.testing.ElasticMqExtension;
import io.sourceflow.testing.ElasticMqServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13, item 2: a handler that never returns held its slot forever while liveness said UP. Past
 * {@code sourceflow.aws.handler-timeout} its message is given up for redelivery (no more heartbeat), its thread is
 * interrupted, and liveness is DOWN while such handlers hold every slot of the queue; UP again once it returns.
 */
@ExtendWith(ElasticMqExtension.class)
class HandlerTimeoutTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    public record Hang(String key) implements Command {}

    @Singleton
    public static class Stuck {
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger interrupts = new AtomicInteger();
        final CountDownLatch letGo = new CountDownLatch(1);
    }

    /** Ignores interrupts, as a handler stuck in a non-interruptible call would. */
    @ApplicationScoped
    public static class HangingHandler {
        @Inject Stuck stuck;

        void on(@Handles Hang hang) {
            stuck.runs.incrementAndGet();
            while (true) {
                try {
                    if (stuck.letGo.await(100, TimeUnit.MILLISECONDS)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    stuck.interrupts.incrementAndGet();
                }
            }
        }
    }

    @Test
    void aHandlerPastItsTimeoutGivesUpItsMessageIsInterruptedAndTurnsLivenessDown(ElasticMqServer elasticMq) {
        String queue = "hang-" + AwsTestConfig.unique();
        Map<String, String> config = AwsTestConfig.emulator(elasticMq.endpoint());
        config.put("sourceflow.routes.commands.Hang", queue);
        config.put("sourceflow.aws.max-concurrent-messages", "1");
        config.put("sourceflow.aws.visibility-timeout", "2s");
        config.put("sourceflow.aws.handler-timeout", "3s");
        config.put("sourceflow.health.cache-ttl", "0s");
        try (CdiContainer app = CdiContainer.start(config, HealthChecksTest.beans(HangingHandler.class, Stuck.class));
             SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            Stuck stuck = app.select(Stuck.class);
            app.select(CommandBus.class).send(new Hang("h-1"));
            SmallRyeHealthReporter reporter = app.select(SmallRyeHealthReporter.class);
            TransportStatus status = app.select(TransportStatus.class);

            await().atMost(WAIT).until(() -> stuck.interrupts.get() >= 1);
            assertThat(status.pollers()).singleElement().satisfies(p -> {
                assertThat(p.handlersPastTimeout()).isEqualTo(1);
                assertThat(p.handlerSlots()).isEqualTo(1);
            });
            assertThat(Health.isDown(reporter.getLiveness(), SourceFlowLivenessCheck.NAME)).isTrue();
            assertThat(Health.data(reporter.getLiveness(), SourceFlowLivenessCheck.NAME, "down")).contains(queue, "handler-timeout");
            // no longer heartbeated: the message becomes visible again for another consumer
            String url = sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
            await().atMost(WAIT).until(() -> visible(sqs, url) == 1);

            stuck.letGo.countDown();
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(status.pollers().get(0).handlersPastTimeout()).isZero();
                assertThat(Health.isUp(reporter.getLiveness(), SourceFlowLivenessCheck.NAME)).isTrue();
            });
        }
    }

    private static int visible(SqsClient sqs, String url) {
        return Integer.parseInt(sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNamesWithStrings("ApproximateNumberOfMessages"))
                .attributesAsStrings().get("ApproximateNumberOfMessages"));
    }
}
