package io.sourceflow.aws;

import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.Handles;
import io.sourceflow.MessageContext;
import io.sourceflow.testing.AwsClients;
import io.sourceflow.testing.AwsTestConfig;
import io.sourceflow.testing.CdiContainer;
import io.sourceflow.testing.ElasticMqExtension;
import io.sourceflow.testing.ElasticMqServer;
import io.sourceflow.testing.RawMessages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13, item 13: what a handler sends to a queue is held back like the events it raises (it leaves only when the
 * handler succeeded), and gets an id derived from the handled message's, so that a retry (or a second delivery to
 * another instance) sends it with the same id and the receivers' idempotency recognises it.
 */
@ExtendWith(ElasticMqExtension.class)
class HandlerSendsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    public record Trigger(String key, boolean failFirst) implements Command {}
    public record Downstream(String key) implements Command {}
    public record AsyncTrigger(String key) implements Command {}
    public record OffThreadTrigger(String key) implements Command {}

    @Singleton
    public static class Attempts {
        final AtomicInteger count = new AtomicInteger();
        final List<Throwable> lateSendErrors = new java.util.concurrent.CopyOnWriteArrayList<>();
    }

    @ApplicationScoped
    public static class TriggerHandler {
        @Inject CommandBus bus;
        @Inject Attempts attempts;

        void on(@Handles Trigger trigger) {
            int attempt = attempts.count.incrementAndGet();
            bus.send(new Downstream(trigger.key()));
            if (trigger.failFirst() && attempt == 1) {
                throw new IllegalStateException("fails after sending");
            }
        }
    }

    /** Returns the stage of its own send, as the sample's sagas do: the stage must not wait for the handler's end. */
    @ApplicationScoped
    public static class AsyncTriggerHandler {
        @Inject CommandBus bus;

        java.util.concurrent.CompletionStage<Void> on(@Handles AsyncTrigger trigger) {
            return bus.sendAsync(new Downstream(trigger.key()));
        }
    }

    /**
     * Sends from another thread, inside the stage it returns, through {@link MessageContext#runInHandler}; its first
     * attempt then fails. It also tries to send once more after its stage completed, which must be refused.
     */
    @ApplicationScoped
    public static class OffThreadHandler {
        @Inject CommandBus bus;
        @Inject Attempts attempts;

        CompletionStage<Void> on(@Handles OffThreadTrigger trigger, MessageContext context) {
            int attempt = attempts.count.incrementAndGet();
            CompletableFuture<Void> stage = CompletableFuture.runAsync(
                    () -> context.runInHandler(() -> bus.send(new Downstream(trigger.key() + "-" + attempt))));
            stage.whenComplete((v, e) -> CompletableFuture.runAsync(() -> {
                try {
                    context.runInHandler(() -> bus.send(new Downstream("late")));
                } catch (RuntimeException late) {
                    attempts.lateSendErrors.add(late);
                }
            }));
            return stage.thenRun(() -> {
                if (attempt == 1) {
                    throw new IllegalStateException("fails after sending on another thread");
                }
            });
        }
    }

    private static Map<String, String> config(ElasticMqServer elasticMq, String triggers, String downstream, String... more) {
        Map<String, String> config = AwsTestConfig.emulator(elasticMq.endpoint());
        config.put("sourceflow.routes.commands.Trigger", triggers);
        config.put("sourceflow.routes.commands.Downstream", downstream);
        config.put("sourceflow.routes.commands.AsyncTrigger", triggers);
        config.put("sourceflow.routes.commands.OffThreadTrigger", triggers);
        for (int i = 0; i < more.length; i += 2) {
            config.put(more[i], more[i + 1]);
        }
        return config;
    }

    private static List<Message> drain(SqsClient sqs, String url) {
        List<Message> all = new ArrayList<>();
        while (true) {
            List<Message> got = sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(2)
                    .messageAttributeNames("All")).messages();
            if (got.isEmpty()) {
                return all;
            }
            all.addAll(got);
            got.forEach(m -> sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(m.receiptHandle())));
        }
    }

    @Test
    void aCommandSentByAHandlerThatThenFailsNeverLeaves(ElasticMqServer elasticMq) {
        String triggers = "triggers-" + AwsTestConfig.unique();
        String downstream = "downstream-" + AwsTestConfig.unique();
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs();
             CdiContainer app = CdiContainer.start(config(elasticMq, triggers, downstream), TriggerHandler.class, Attempts.class)) {
            app.select(CommandBus.class).send(new Trigger("t-1", true));
            String triggerUrl = sqs.getQueueUrl(r -> r.queueName(triggers)).queueUrl();
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(app.select(Attempts.class).count).hasValue(2);
                assertThat(RawMessages.approximateCount(sqs, triggerUrl)).isZero();
            });
            List<Message> sent = drain(sqs, sqs.getQueueUrl(r -> r.queueName(downstream)).queueUrl());
            assertThat(sent).as("only the successful attempt's command left").hasSize(1);
        }
    }

    @Test
    void anAsyncHandlerReturningTheStageOfItsOwnSendCompletes(ElasticMqServer elasticMq) {
        String triggers = "triggers-" + AwsTestConfig.unique();
        String downstream = "downstream-" + AwsTestConfig.unique();
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs();
             CdiContainer app = CdiContainer.start(config(elasticMq, triggers, downstream), AsyncTriggerHandler.class)) {
            app.select(CommandBus.class).send(new AsyncTrigger("a-1"));
            String triggerUrl = sqs.getQueueUrl(r -> r.queueName(triggers)).queueUrl();
            Message sent = RawMessages.takeOne(sqs, sqs.getQueueUrl(r -> r.queueName(downstream)).queueUrl(), WAIT);
            assertThat(sent.body()).contains("a-1");
            await().atMost(WAIT).until(() -> RawMessages.approximateCount(sqs, triggerUrl) == 0);
        }
    }

    @Test
    void twoRunsOfTheSameMessageSendWithTheSameIds(ElasticMqServer elasticMq) {
        String triggers = "triggers-" + AwsTestConfig.unique();
        String downstream = "downstream-" + AwsTestConfig.unique();
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            Message trigger;
            try (CdiContainer sender = CdiContainer.start(config(elasticMq, triggers, downstream,
                    "sourceflow.aws.command-listener.enabled", "false"), TriggerHandler.class, Attempts.class)) {
                sender.select(CommandBus.class).send(new Trigger("t-2", false));
                trigger = RawMessages.takeOne(sqs, sqs.getQueueUrl(r -> r.queueName(triggers)).queueUrl(), WAIT);
            }
            String triggerUrl = sqs.getQueueUrl(r -> r.queueName(triggers)).queueUrl();
            String downstreamUrl = sqs.getQueueUrl(r -> r.queueName(downstream)).queueUrl();
            List<String> ids = new ArrayList<>();
            for (int instance = 1; instance <= 2; instance++) { // two instances, each with its own in-memory store
                try (CdiContainer app = CdiContainer.start(config(elasticMq, triggers, downstream), TriggerHandler.class, Attempts.class)) {
                    RawMessages.sendCopy(sqs, triggerUrl, trigger);
                    await().atMost(WAIT).untilAsserted(() -> {
                        assertThat(app.select(Attempts.class).count).hasValue(1);
                        assertThat(RawMessages.approximateCount(sqs, triggerUrl)).isZero();
                    });
                }
                ids.add(RawMessages.cloudEventId(RawMessages.takeOne(sqs, downstreamUrl, WAIT)));
            }
            assertThat(ids.get(0)).as("the same handled message, handler and ordinal give the same id").isEqualTo(ids.get(1));
        }
    }

    /**
     * Issue 13, item 12: a command an asynchronous handler sent on another thread, inside its stage, left at once and
     * survived the stage's failure. Sent through {@link MessageContext#runInHandler}, it is held back with the
     * handler's own: only the successful attempt's command leaves; one sent after the stage completed is refused.
     */
    @Test
    void whatAnAsyncHandlerSendsOnAnotherThreadLeavesOnlyIfItsStageSucceeds(ElasticMqServer elasticMq) {
        String triggers = "triggers-" + AwsTestConfig.unique();
        String downstream = "downstream-" + AwsTestConfig.unique();
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs();
             CdiContainer app = CdiContainer.start(config(elasticMq, triggers, downstream), OffThreadHandler.class, Attempts.class)) {
            app.select(CommandBus.class).send(new OffThreadTrigger("o-1"));
            String triggerUrl = sqs.getQueueUrl(r -> r.queueName(triggers)).queueUrl();
            Attempts handler = app.select(Attempts.class);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(handler.count).hasValue(2);
                assertThat(RawMessages.approximateCount(sqs, triggerUrl)).isZero();
                assertThat(handler.lateSendErrors).hasSize(2);
            });
            List<Message> sent = drain(sqs, sqs.getQueueUrl(r -> r.queueName(downstream)).queueUrl());
            assertThat(sent).as("only the successful attempt's command left").hasSize(1);
            assertThat(sent.get(0).body()).contains("o-1-2");
            assertThat(handler.lateSendErrors).allSatisfy(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("was sent after its handler").hasMessageContaining("OffThreadHandler"));
        }
    }
}
