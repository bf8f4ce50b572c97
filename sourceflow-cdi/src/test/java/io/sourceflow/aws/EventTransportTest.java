package io.sourceflow.aws;

import io.sourceflow.Event;
import io.sourceflow.EventPublisher;
import io.sourceflow.Handles;
import io.sourceflow.MessageContext;
import io.sourceflow.RaiseTo;
import io.sourceflow.testing.AwsClients;
import io.sourceflow.testing.AwsRequestCounter;
import io.sourceflow.testing.AwsTestConfig;
import io.sourceflow.testing.CdiContainer;
import io.sourceflow.testing.MotoExtension;
import io.sourceflow.testing.MotoServer;
import io.sourceflow.testing.Received;
import io.sourceflow.testing.RequestCounting;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Events through SNS with fan-out to SQS, end to end through the library, on moto. */
@ExtendWith(MotoExtension.class)
class EventTransportTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RaiseTo("order-events")
    public record OrderPlaced(String orderId, int amount) implements Event {}

    @RaiseTo("order-events")
    public record OrderAudited(String orderId) implements Event {}

    @ApplicationScoped
    public static class Projection {
        @Inject Received received;

        void on(@Handles OrderPlaced event, MessageContext context) {
            received.add("projection", event, context);
        }
    }

    @ApplicationScoped
    public static class Auditor {
        @Inject Received received;

        void on(@Handles OrderAudited event, MessageContext context) {
            received.add("auditor", event, context);
        }
    }

    private static Map<String, String> config(MotoServer moto, String service, String topic) {
        Map<String, String> config = AwsTestConfig.emulator(moto.endpoint());
        config.put("sourceflow.service-name", service);
        config.put("sourceflow.routes.events.OrderPlaced", topic);
        config.put("sourceflow.routes.events.OrderAudited", topic);
        return config;
    }

    @Test
    void anEventFansOutToTwoServicesAndEachHandlesItOnce(MotoServer moto) throws Exception {
        String topic = "order-events-" + AwsTestConfig.unique();
        String billing = "billing-" + AwsTestConfig.unique();
        String shipping = "shipping-" + AwsTestConfig.unique();
        try (CdiContainer billingService = CdiContainer.start(config(moto, billing, topic), Projection.class, Received.class);
             CdiContainer shippingService = CdiContainer.start(config(moto, shipping, topic), Projection.class, Received.class)) {
            // the publisher also handles its own event: it receives it once, through its event queue
            billingService.select(EventPublisher.class).raise(new OrderPlaced("o-1", 5));

            for (CdiContainer service : List.of(billingService, shippingService)) {
                List<Received.Entry> entries = service.select(Received.class).awaitCount(1, WAIT);
                assertThat(entries.get(0).message()).isEqualTo(new OrderPlaced("o-1", 5));
                assertThat(entries.get(0).context().destination()).endsWith("-events");
            }
            assertThat(billingService.select(Received.class).entries().get(0).context().destination()).isEqualTo(billing + "-events");
            assertThat(shippingService.select(Received.class).entries().get(0).context().destination()).isEqualTo(shipping + "-events");

            // nothing more arrives: each service handled the event exactly once
            billingService.select(EventPublisher.class).raise(new OrderPlaced("marker", 0));
            billingService.select(Received.class).awaitCount(2, WAIT);
            shippingService.select(Received.class).awaitCount(2, WAIT);
            assertThat(billingService.select(Received.class).messages()).containsExactly(new OrderPlaced("o-1", 5), new OrderPlaced("marker", 0));
            assertThat(shippingService.select(Received.class).messages()).containsExactly(new OrderPlaced("o-1", 5), new OrderPlaced("marker", 0));
        }
    }

    @Test
    void theFilterPolicyKeepsUnhandledTypesOutOfTheEventQueue(MotoServer moto) throws Exception {
        String topic = "order-events-" + AwsTestConfig.unique();
        String service = "projection-" + AwsTestConfig.unique();
        // the publisher handles nothing; the consumer handles only OrderPlaced and stops listening after setup
        Map<String, String> consumerConfig = config(moto, service, topic);
        try (CdiContainer publisher = CdiContainer.start(config(moto, "publisher-" + AwsTestConfig.unique(), topic), Received.class)) {
            try (CdiContainer consumer = CdiContainer.start(consumerConfig, Projection.class, Received.class)) {
                assertThat(consumer.select(Received.class).entries()).isEmpty();
            }
            publisher.select(EventPublisher.class).raise(new OrderAudited("o-2"));
            publisher.select(EventPublisher.class).raise(new OrderPlaced("o-2", 1));
        }
        try (SqsClient sqs = AwsClients.of(moto).sqs()) {
            String url = sqs.getQueueUrl(r -> r.queueName(service + "-events")).queueUrl();
            List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(url).waitTimeSeconds(5).maxNumberOfMessages(10)
                    .messageAttributeNames("All")).messages();
            assertThat(messages).hasSize(1);
            assertThat(messages.get(0).messageAttributes().get("sourceflow.type").stringValue()).isEqualTo("OrderPlaced");
            assertThat(messages.get(0).body()).as("raw delivery: the body is the CloudEvent").startsWith("{").contains("\"type\":\"OrderPlaced\"");
            // OrderAudited was published before OrderPlaced: had the filter let it through, it would be here by now
            assertThat(sqs.receiveMessage(r -> r.queueUrl(url).waitTimeSeconds(1).maxNumberOfMessages(10)).messages()).isEmpty();
        }
    }

    @Test
    void anSnsEnvelopedBodyDecodesLikeARawOne(MotoServer moto) throws Exception {
        String topic = "order-events-" + AwsTestConfig.unique();
        String service = "enveloped-" + AwsTestConfig.unique();
        try (CdiContainer consumer = CdiContainer.start(config(moto, service, topic), Projection.class, Received.class);
             SqsClient sqs = AwsClients.of(moto).sqs();
             SnsClient sns = AwsClients.of(moto).sns()) {
            String queueUrl = sqs.getQueueUrl(r -> r.queueName(service + "-events")).queueUrl();
            String queueArn = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNamesWithStrings("QueueArn")).attributesAsStrings().get("QueueArn");
            // a second subscription of the same queue, without raw delivery: SNS wraps the CloudEvent in its JSON envelope
            String otherTopic = sns.createTopic(r -> r.name("plain-" + AwsTestConfig.unique())).topicArn();
            sns.subscribe(r -> r.topicArn(otherTopic).protocol("sqs").endpoint(queueArn));
            String cloudEvent = "{\"specversion\":\"1.0\",\"id\":\"env-1\",\"type\":\"OrderPlaced\",\"source\":\"other\","
                    + "\"datacontenttype\":\"application/json\",\"data\":{\"orderId\":\"o-env\",\"amount\":7}}";
            sns.publish(r -> r.topicArn(otherTopic).message(cloudEvent).messageAttributes(Map.of("sourceflow.type",
                    software.amazon.awssdk.services.sns.model.MessageAttributeValue.builder().dataType("String").stringValue("OrderPlaced").build())));

            Received.Entry entry = consumer.select(Received.class).awaitCount(1, WAIT).get(0);
            assertThat(entry.message()).isEqualTo(new OrderPlaced("o-env", 7));
            assertThat(entry.context().messageId()).isEqualTo("env-1");
        }
    }

    @Test
    void malformedAndUnknownMessagesGoToTheDeadLetterQueueWithAReason(MotoServer moto) {
        String topic = "order-events-" + AwsTestConfig.unique();
        String service = "poison-" + AwsTestConfig.unique();
        try (CdiContainer consumer = CdiContainer.start(config(moto, service, topic), Projection.class, Received.class);
             SqsClient sqs = AwsClients.of(moto).sqs()) {
            String queueUrl = sqs.getQueueUrl(r -> r.queueName(service + "-events")).queueUrl();
            String dlqUrl = sqs.getQueueUrl(r -> r.queueName(service + "-events-dlq")).queueUrl();
            sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody("{not json"));
            sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody("{\"specversion\":\"1.0\",\"id\":\"u-1\",\"type\":\"com.evil.Gadget\","
                    + "\"source\":\"x\",\"data\":{}}"));
            sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody("{\"specversion\":\"1.0\",\"id\":\"s-1\",\"type\":\"OrderPlaced\","
                    + "\"source\":\"x\",\"data\":{\"amount\":\"not a number\"}}"));

            Map<String, Map<String, MessageAttributeValue>> byReason = new HashMap<>();
            org.awaitility.Awaitility.await().atMost(WAIT).until(() -> {
                sqs.receiveMessage(r -> r.queueUrl(dlqUrl).waitTimeSeconds(1).maxNumberOfMessages(10).messageAttributeNames("All"))
                        .messages().forEach(m -> byReason.put(m.messageAttributes().get("sourceflow.dlq.reason").stringValue(), m.messageAttributes()));
                return byReason.size() >= 3;
            });
            assertThat(byReason).containsOnlyKeys("MalformedJson", "UnknownType", "SchemaMismatch");
            assertThat(byReason.get("UnknownType").get("sourceflow.dlq.message-id").stringValue()).isEqualTo("u-1");
            assertThat(byReason.get("UnknownType").get("sourceflow.dlq.error").stringValue()).contains("com.evil.Gadget");
            assertThat(byReason.get("SchemaMismatch").get("sourceflow.dlq.source-queue").stringValue()).isEqualTo(service + "-events");
            assertThat(byReason.get("SchemaMismatch").get("sourceflow.dlq.error").stringValue()).doesNotContain("not a number");
            assertThat(consumer.select(Received.class).entries()).as("no handler ran").isEmpty();
            assertThat(sqs.receiveMessage(r -> r.queueUrl(queueUrl).waitTimeSeconds(1)).messages()).as("nothing left behind").isEmpty();
        }
    }

    @Test
    void provisioningTwiceChangesNothing(MotoServer moto) {
        String topic = "order-events-" + AwsTestConfig.unique();
        Map<String, String> config = config(moto, "twice-" + AwsTestConfig.unique(), topic);
        config.put("sourceflow.aws.event-listener.enabled", "true");
        try (CdiContainer first = CdiContainer.start(config, Projection.class, Auditor.class, Received.class, RequestCounting.class)) {
            assertThat(first.select(AwsRequestCounter.class).count("CreateQueue")).isPositive();
        }
        try (CdiContainer second = CdiContainer.start(config, Projection.class, Auditor.class, Received.class, RequestCounting.class)) {
            AwsRequestCounter counter = second.select(AwsRequestCounter.class);
            assertThat(counter.snapshot().keySet()).as(counter.toString())
                    .noneMatch(operation -> operation.startsWith("Create") || operation.startsWith("Set") || operation.equals("Subscribe"));
        }
    }

    @Test
    void verifyModeFailsStartupNamingEveryMissingResource(MotoServer moto) {
        String topic = "missing-events-" + AwsTestConfig.unique();
        String service = "verify-" + AwsTestConfig.unique();
        Map<String, String> config = config(moto, service, topic);
        config.put("sourceflow.aws.provisioning", "verify");
        assertThatThrownBy(() -> CdiContainer.start(config, Projection.class, Received.class).close())
                .satisfies(e -> {
                    StringBuilder text = new StringBuilder();
                    for (Throwable t = e; t != null; t = t.getCause()) {
                        text.append(t.getMessage()).append('\n');
                    }
                    assertThat(text.toString()).contains(service + "-events", service + "-events-dlq", topic);
                });
    }
}
