package io.sourceflow.aws.outbound;

import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.EntityKey;
import io.sourceflow.Handles;
import io.sourceflow.MessageContext;
import io.sourceflow.aws.AwsSendCalls;
import io.sourceflow.aws.AwsServiceClients;
import io.sourceflow.aws.MessageSerializer;
import io.sourceflow.aws.OutboundMessage;
import io.sourceflow.core.HandlerRegistry;
import io.sourceflow.core.MessageDescriptor;
import io.sourceflow.testing.AwsClients;
import io.sourceflow.testing.AwsTestConfig;
import io.sourceflow.testing.CdiContainer;
import io.sourceflow.testing.MotoExtension;
import io.sourceflow.testing.MotoServer;
import io.sourceflow.testing.Received;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A producer retry re-sends the same encoded message (same CloudEvents id): on a FIFO queue, whose
 * deduplication id is the message id, it is delivered once. Also: a queue given by full URL is used as-is.
 */
@ExtendWith(MotoExtension.class)
class ProducerRetryTest {

    public record Pay(@EntityKey String paymentId) implements Command {}

    @ApplicationScoped
    public static class PayHandler {
        @Inject Received received;

        void on(@Handles Pay command, MessageContext context) {
            received.add("pay", command, context);
        }
    }

    @Test
    void aResendOfTheSameMessageIdIsDeliveredOnceOnFifo(MotoServer moto) {
        String queue = "payments-" + AwsTestConfig.unique() + ".fifo";
        Map<String, String> config = AwsTestConfig.emulator(moto.endpoint());
        config.put("sourceflow.routes.commands.Pay", queue);
        try (CdiContainer service = CdiContainer.start(config, PayHandler.class, Received.class)) {
            MessageDescriptor descriptor = service.select(HandlerRegistry.class).describe(Pay.class);
            MessageSerializer serializer = service.select(MessageSerializer.class);
            AwsServiceClients clients = service.select(AwsServiceClients.class);
            String url = clients.sqs().getQueueUrl(r -> r.queueName(queue)).queueUrl();
            SqsBatchSender sender = new SqsBatchSender(clients.sqs(), new AwsSendCalls(), queue, url);

            OutboundMessage first = serializer.encode(descriptor, new Pay("p-1"), Optional.of("p-1"));
            OutboundMessage retry = new OutboundMessage(first.messageId(), first.logicalType(), first.groupId(), first.body(),
                    first.attributes(), first.size(), new CompletableFuture<>());
            sender.send(List.of(first));
            sender.send(List.of(retry));
            assertThat(first.accepted()).isCompleted();
            assertThat(retry.accepted()).isCompleted();

            // a later, different message acts as a marker: once it is handled, a duplicate would have been too
            service.select(CommandBus.class).send(new Pay("p-1"));
            List<Received.Entry> handled = service.select(Received.class).awaitCount(2, Duration.ofSeconds(30));
            assertThat(handled).hasSize(2);
            assertThat(handled.get(0).context().messageId()).isEqualTo(first.messageId());
            assertThat(handled.get(1).context().messageId()).isNotEqualTo(first.messageId());
        }
    }

    @Test
    void aQueueGivenByUrlIsUsedAsIs(MotoServer moto) {
        String queue = "by-url-" + AwsTestConfig.unique();
        try (SqsClient sqs = AwsClients.of(moto).sqs()) {
            String url = sqs.createQueue(r -> r.queueName(queue)).queueUrl();
            Map<String, String> config = AwsTestConfig.emulator(moto.endpoint());
            config.put("sourceflow.routes.commands.Pay", url);
            try (CdiContainer service = CdiContainer.start(config, PayHandler.class, Received.class)) {
                service.select(CommandBus.class).send(new Pay("p-2"));
                Received.Entry entry = service.select(Received.class).awaitCount(1, Duration.ofSeconds(30)).get(0);
                assertThat(entry.message()).isEqualTo(new Pay("p-2"));
                assertThat(entry.context().destination()).isEqualTo(url);
            }
        }
    }
}
