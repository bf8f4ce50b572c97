package io.sourceflow.aws;

import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.Handles;
import io.sourceflow.testing.AwsClients;
import io.sourceflow.testing.AwsTestConfig;
import io.sourceflow.testing.CdiContainer;
import io.sourceflow.testing.ElasticMqExtension;
import io.sourceflow.testing.ElasticMqServer;
import io.sourceflow.testing.RawMessages;
import io.sourceflow.testing.TestOpenTelemetry;
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
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a polled queue accepts (issue 13, items 15-18): only the types routed to it, only encrypted data when
 * encryption is required, wire values escaped before they reach logs and dead-letter attributes and never made metric
 * attributes unless allow-listed, and poison (ids beyond the stores' limit, JSON nested too deeply) dead-lettered by
 * SourceFlow when it first sees it (with a reason), not retried. Everything else stays off the handlers. End to end on ElasticMQ.
 */
@ExtendWith(ElasticMqExtension.class)
class InboundAcceptanceTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    public record Order(String id) implements Command {}
    public record Refund(String id) implements Command {}

    @Singleton
    public static class Handled {
        final List<String> ids = new CopyOnWriteArrayList<>();
    }

    @ApplicationScoped
    public static class Handlers {
        @Inject Handled handled;

        void on(@Handles Order order) {
            handled.ids.add("order " + order.id());
        }

        void on(@Handles Refund refund) {
            handled.ids.add("refund " + refund.id());
        }
    }

    private static Map<String, String> config(ElasticMqServer elasticMq, String orders, String refunds, String... more) {
        Map<String, String> config = AwsTestConfig.emulator(elasticMq.endpoint());
        config.put("sourceflow.routes.commands.Order", orders);
        config.put("sourceflow.routes.commands.Refund", refunds);
        for (int i = 0; i < more.length; i += 2) {
            config.put(more[i], more[i + 1]);
        }
        return config;
    }

    private static List<DeadLetter> awaitDeadLetters(CdiContainer app, String queue, int count) {
        List<DeadLetter> dead = new ArrayList<>();
        await().atMost(WAIT).untilAsserted(() -> {
            dead.clear();
            dead.addAll(app.select(DeadLetterQueues.class).peek(queue, 10));
            assertThat(dead).hasSize(count);
        });
        return dead;
    }

    private static String event(String id, String type, String data) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"type\":\"" + type + "\",\"source\":\"/test\","
                + "\"datacontenttype\":\"application/json\",\"data\":" + data + "}";
    }

    @Test
    void aCommandWrittenToAnotherCommandsQueueIsDeadLetteredAndRunsNoHandler(ElasticMqServer elasticMq) {
        String orders = "accept-orders-" + AwsTestConfig.unique();
        String refunds = "accept-refunds-" + AwsTestConfig.unique();
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            Message refund;
            try (CdiContainer sender = CdiContainer.start(config(elasticMq, orders, refunds,
                    "sourceflow.aws.command-listener.enabled", "false"), Handlers.class, Handled.class)) {
                sender.select(CommandBus.class).send(new Refund("r-forged"));
                refund = RawMessages.takeOne(sqs, sqs.getQueueUrl(r -> r.queueName(refunds)).queueUrl(), WAIT);
            }
            try (CdiContainer app = CdiContainer.start(config(elasticMq, orders, refunds), Handlers.class, Handled.class)) {
                // a well-formed Refund written to the orders queue by anyone who may write there
                RawMessages.sendCopy(sqs, sqs.getQueueUrl(r -> r.queueName(orders)).queueUrl(), refund);
                app.select(CommandBus.class).send(new Refund("r-1"));

                DeadLetter dead = awaitDeadLetters(app, orders, 1).get(0);
                assertThat(dead.reason()).contains("NotRoutedHere");
                assertThat(dead.error()).hasValueSatisfying(error -> assertThat(error).contains("Refund", orders, refunds));
                await().atMost(WAIT).until(() -> app.select(Handled.class).ids.contains("refund r-1"));
                assertThat(app.select(Handled.class).ids).as("the forged refund ran no handler").doesNotContain("refund r-forged");
            }
        }
    }

    @Test
    void plaintextIsDeadLetteredWhenEncryptionIsRequired(ElasticMqServer elasticMq) {
        String orders = "plain-orders-" + AwsTestConfig.unique();
        String refunds = "plain-refunds-" + AwsTestConfig.unique();
        try (CdiContainer app = CdiContainer.start(config(elasticMq, orders, refunds,
                "sourceflow.aws.encryption.required", "true"), Handlers.class, Handled.class)) {
            app.select(CommandBus.class).send(new Order("o-plain"));

            DeadLetter dead = awaitDeadLetters(app, orders, 1).get(0);
            assertThat(dead.reason()).contains("NotEncrypted");
            assertThat(app.select(Handled.class).ids).isEmpty();
        }
    }

    @Test
    void wireValuesAreEscapedAndOnlyAllowListedTypesBecomeMetricAttributes(ElasticMqServer elasticMq) {
        String orders = "forge-orders-" + AwsTestConfig.unique();
        String refunds = "forge-refunds-" + AwsTestConfig.unique();
        TestOpenTelemetry.Sdk otel = TestOpenTelemetry.install();
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs();
             CdiContainer app = CdiContainer.start(config(elasticMq, orders, refunds), Handlers.class, Handled.class,
                     TestOpenTelemetry.class)) {
            app.select(CommandBus.class).send(new Order("o-1")); // provisions the queue and its DLQ
            await().atMost(WAIT).until(() -> app.select(Handled.class).ids.contains("order o-1"));
            String url = sqs.getQueueUrl(r -> r.queueName(orders)).queueUrl();
            sqs.sendMessage(r -> r.queueUrl(url).messageBody(event("f-1", "Forged\\nINFO admin logged in", "{\"id\":\"x\"}")));

            DeadLetter dead = awaitDeadLetters(app, orders, 1).get(0);
            assertThat(dead.reason()).contains("UnknownType");
            assertThat(dead.error()).hasValueSatisfying(error -> assertThat(error)
                    .contains("Forged\\nINFO admin logged in").doesNotContain("\n"));
            await().atMost(WAIT).untilAsserted(() -> assertThat(otel.sum("sourceflow.aws.message.received",
                    Map.of("messaging.destination.name", orders, "sourceflow.message.type", "_unknown"))).isEqualTo(1));
            assertThat(otel.collect()).allSatisfy(m -> assertThat(m.getData().getPoints()).allSatisfy(p ->
                    assertThat(p.getAttributes().asMap().values()).noneMatch(v -> String.valueOf(v).contains("Forged"))));
        }
    }

    @Test
    void anIdBeyondTheStoresLimitAndJsonNestedTooDeeplyAreDeadLetteredOnTheirFirstReceive(ElasticMqServer elasticMq) {
        String orders = "poison-orders-" + AwsTestConfig.unique();
        String refunds = "poison-refunds-" + AwsTestConfig.unique();
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs();
             CdiContainer app = CdiContainer.start(config(elasticMq, orders, refunds), Handlers.class, Handled.class)) {
            app.select(CommandBus.class).send(new Order("o-1"));
            await().atMost(WAIT).until(() -> app.select(Handled.class).ids.contains("order o-1"));
            String url = sqs.getQueueUrl(r -> r.queueName(orders)).queueUrl();
            sqs.sendMessage(r -> r.queueUrl(url).messageBody(event("i".repeat(129), "Order", "{\"id\":\"long\"}")));
            String deep = "[".repeat(5_000) + "]".repeat(5_000);
            sqs.sendMessage(r -> r.queueUrl(url).messageBody(event("deep-1", "Order", deep)));

            List<DeadLetter> dead = awaitDeadLetters(app, orders, 2);
            // a reason means SourceFlow moved it when it first saw it (SQS's redrive after max-receive-count sets none)
            assertThat(dead).allSatisfy(d -> assertThat(d.reason()).contains("MalformedJson"));
            assertThat(dead).anySatisfy(d -> assertThat(d.error()).hasValueSatisfying(e -> assertThat(e).contains("at most 128")));
            assertThat(dead).anySatisfy(d -> assertThat(d.error()).hasValueSatisfying(e -> assertThat(e).contains("nested too deeply")));
            assertThat(app.select(Handled.class).ids).containsExactly("order o-1");
        }
    }
}
