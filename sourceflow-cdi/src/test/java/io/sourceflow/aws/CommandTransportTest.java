package io.sourceflow.aws;

import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.EntityKey;
import io.sourceflow.Handles;
import io.sourceflow.MessageContext;
import io.sourceflow.SendTo;
import io.sourceflow.testing.AwsClients;
import io.sourceflow.testing.AwsRequestCounter;
import io.sourceflow.testing.AwsTestConfig;
import io.sourceflow.testing.CdiContainer;
import io.sourceflow.testing.ElasticMqExtension;
import io.sourceflow.testing.ElasticMqServer;
import io.sourceflow.testing.MotoExtension;
import io.sourceflow.testing.MotoServer;
import io.sourceflow.testing.Received;
import io.sourceflow.testing.RequestCounting;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Commands through SQS, end to end through the library, on moto and on ElasticMQ. */
@ExtendWith({MotoExtension.class, ElasticMqExtension.class})
class CommandTransportTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @SendTo("orders")
    public record PlaceOrder(@EntityKey String orderId, int line, BigDecimal total) implements Command {}

    @SendTo("unhandled-here")
    public record Unhandled(String id) implements Command {}

    @ApplicationScoped
    public static class OrderHandler {
        @Inject Received received;

        void on(@Handles PlaceOrder command, MessageContext context) {
            received.add("order", command, context);
        }
    }

    private static CdiContainer deploy(URI endpoint, String queue, Map<String, String> extra) {
        Map<String, String> config = AwsTestConfig.emulator(endpoint);
        config.put("sourceflow.routes.commands.PlaceOrder", queue);
        config.putAll(extra);
        return CdiContainer.start(config, OrderHandler.class, Received.class, RequestCounting.class);
    }

    private static void roundTrip(URI endpoint, String queue) {
        try (CdiContainer service = deploy(endpoint, queue, Map.of())) {
            service.select(CommandBus.class).send(new PlaceOrder("o-1", 1, new BigDecimal("12345678901234567890.10")));

            Received.Entry entry = service.select(Received.class).awaitCount(1, WAIT).get(0);
            assertThat(entry.message()).isEqualTo(new PlaceOrder("o-1", 1, new BigDecimal("12345678901234567890.10")));
            MessageContext context = entry.context();
            assertThat(context.destination()).isEqualTo(queue);
            assertThat(context.messageType()).isEqualTo("PlaceOrder");
            assertThat(context.entityKey()).contains("o-1");
            assertThat(context.receiveCount()).isEqualTo(1);
            assertThat(context.messageId()).isNotBlank();
        }
    }

    @Test
    void standardQueueRoundTripOnMoto(MotoServer moto) {
        roundTrip(moto.endpoint(), "orders-" + AwsTestConfig.unique());
    }

    @Test
    void fifoQueueRoundTripOnMoto(MotoServer moto) {
        roundTrip(moto.endpoint(), "orders-" + AwsTestConfig.unique() + ".fifo");
    }

    @Test
    void standardQueueRoundTripOnElasticMq(ElasticMqServer elasticMq) {
        roundTrip(elasticMq.endpoint(), "orders-" + AwsTestConfig.unique());
    }

    @Test
    void fifoQueueRoundTripOnElasticMq(ElasticMqServer elasticMq) {
        roundTrip(elasticMq.endpoint(), "orders-" + AwsTestConfig.unique() + ".fifo");
    }

    @Test
    void aRoutedCommandIsSentAndNeverAlsoHandledInProcess(ElasticMqServer elasticMq) {
        String queue = "orders-" + AwsTestConfig.unique();
        // this deployment sends to the queue but does not listen to it: the local handler must not run
        try (CdiContainer sender = deploy(elasticMq.endpoint(), queue, Map.of("sourceflow.aws.command-listener.enabled", "false"));
             SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            sender.select(CommandBus.class).send(new PlaceOrder("o-2", 1, BigDecimal.ONE));
            String url = sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
            var messages = sqs.receiveMessage(r -> r.queueUrl(url).waitTimeSeconds(5).maxNumberOfMessages(10)
                    .messageAttributeNames("All")).messages();
            assertThat(messages).hasSize(1);
            assertThat(messages.get(0).messageAttributes().get("sourceflow.type").stringValue()).isEqualTo("PlaceOrder");
            assertThat(messages.get(0).messageAttributes()).hasSizeLessThanOrEqualTo(4);
            assertThat(sender.select(Received.class).entries()).isEmpty();
        }
    }

    @Test
    void fifoKeepsPerEntityOrderForInterleavedEntities(ElasticMqServer elasticMq) throws Exception {
        String queue = "orders-" + AwsTestConfig.unique() + ".fifo";
        try (CdiContainer service = deploy(elasticMq.endpoint(), queue, Map.of("sourceflow.aws.max-concurrent-messages", "4"))) {
            CommandBus bus = service.select(CommandBus.class);
            List<CompletableFuture<Void>> sends = new ArrayList<>();
            for (int line = 1; line <= 30; line++) {
                sends.add(bus.sendAsync(new PlaceOrder("A", line, BigDecimal.ONE)).toCompletableFuture());
                sends.add(bus.sendAsync(new PlaceOrder("B", line, BigDecimal.ONE)).toCompletableFuture());
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            List<Received.Entry> handled = service.select(Received.class).awaitCount(60, WAIT);
            for (String entity : List.of("A", "B")) {
                List<Integer> lines = handled.stream().map(e -> (PlaceOrder) e.message())
                        .filter(o -> o.orderId().equals(entity)).map(PlaceOrder::line).toList();
                assertThat(lines).as("order of entity " + entity).isSorted().hasSize(30).doesNotHaveDuplicates();
            }
        }
    }

    @Test
    void aBurstOfAsyncSendsUsesBatchRequests(ElasticMqServer elasticMq) throws Exception {
        String queue = "orders-" + AwsTestConfig.unique();
        try (CdiContainer service = deploy(elasticMq.endpoint(), queue, Map.of("sourceflow.aws.command-listener.enabled", "false",
                "sourceflow.aws.batch-linger", "50ms"))) {
            CommandBus bus = service.select(CommandBus.class);
            bus.send(new PlaceOrder("warm-up", 0, BigDecimal.ONE)); // resolves the queue first
            AwsRequestCounter counter = service.select(AwsRequestCounter.class);
            counter.reset();

            List<CompletableFuture<Void>> sends = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                sends.add(bus.sendAsync(new PlaceOrder("o-" + i, i, BigDecimal.ONE)).toCompletableFuture());
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            assertThat(counter.count("SendMessage")).isZero();
            assertThat(counter.count("SendMessageBatch")).as(counter.toString()).isBetween(3L, 5L);
        }
    }

    @Test
    void anOversizedMessageIsRefusedBeforeAnythingIsSent(ElasticMqServer elasticMq) {
        String queue = "orders-" + AwsTestConfig.unique();
        try (CdiContainer service = deploy(elasticMq.endpoint(), queue, Map.of("sourceflow.aws.command-listener.enabled", "false"))) {
            AwsRequestCounter counter = service.select(AwsRequestCounter.class);
            String huge = "x".repeat(1_100_000);
            assertThatThrownBy(() -> service.select(CommandBus.class).send(new PlaceOrder(huge, 1, BigDecimal.ONE)))
                    .isInstanceOf(MessageTooLargeException.class)
                    .hasMessageContaining("PlaceOrder")
                    .hasMessageContaining("1048576")
                    .hasMessageContaining("queue " + queue);
            assertThat(counter.count("SendMessageBatch") + counter.count("SendMessage")).isZero();
        }
    }

    @Test
    void aFifoCommandWithoutEntityKeyIsRefused(ElasticMqServer elasticMq) {
        String queue = "orders-" + AwsTestConfig.unique() + ".fifo";
        try (CdiContainer service = deploy(elasticMq.endpoint(), queue, Map.of("sourceflow.aws.command-listener.enabled", "false"))) {
            assertThatThrownBy(() -> service.select(CommandBus.class).send(new PlaceOrder(null, 1, BigDecimal.ONE)))
                    .isInstanceOf(MissingEntityKeyException.class)
                    .hasMessageContaining("PlaceOrder.orderId")
                    .hasMessageContaining(queue);
            assertThat(service.select(AwsRequestCounter.class).count("SendMessageBatch")).isZero();
        }
    }

    @Test
    void aSendOnlyTypeIsProvisionedAtItsFirstSend(ElasticMqServer elasticMq) {
        // no handler and no configured route: the deployment learns of the queue only at the first send
        String queue = "unhandled-here";
        try (CdiContainer service = CdiContainer.start(Map.of(
                "sourceflow.aws.endpoint", elasticMq.endpoint().toString(), "sourceflow.aws.region", "us-east-1"), Received.class);
             SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            service.select(CommandBus.class).send(new Unhandled("u-1"));
            String url = sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
            assertThat(sqs.receiveMessage(r -> r.queueUrl(url).waitTimeSeconds(5)).messages()).hasSize(1);
            assertThat(sqs.getQueueUrl(r -> r.queueName(queue + "-dlq")).queueUrl()).isNotBlank();
        }
    }
}
