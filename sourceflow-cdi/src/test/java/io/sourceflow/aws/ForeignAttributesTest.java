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
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 16, item 10: a handler sees what a foreign producer put around the message — the CloudEvent's extension
 * attributes and the SQS message attributes — but none of CloudEvents' or SourceFlow's own. End to end on ElasticMQ.
 */
@ExtendWith(ElasticMqExtension.class)
class ForeignAttributesTest {

    public record Invoice(String id) implements Command {}

    @Singleton
    public static class Seen {
        final Map<String, MessageContext> contexts = new ConcurrentHashMap<>();
    }

    @ApplicationScoped
    public static class InvoiceHandler {
        @Inject Seen seen;

        void on(@Handles Invoice invoice, MessageContext context) {
            seen.contexts.put(invoice.id(), context);
        }
    }

    @Test
    void aHandlerSeesTheForeignProducersExtensionsAndMessageAttributesButNotSourceFlowsOwn(ElasticMqServer elasticMq) {
        String queue = "invoices-" + AwsTestConfig.unique();
        Map<String, String> config = AwsTestConfig.emulator(elasticMq.endpoint());
        config.put("sourceflow.routes.commands.Invoice", queue);
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs();
             CdiContainer app = CdiContainer.start(config, InvoiceHandler.class, Seen.class)) {
            app.select(CommandBus.class).send(new Invoice("ours"));
            Seen seen = app.select(Seen.class);
            await().atMost(Duration.ofSeconds(60)).until(() -> seen.contexts.containsKey("ours"));

            String url = sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
            String body = "{\"specversion\":\"1.0\",\"id\":\"foreign-1\",\"type\":\"Invoice\",\"source\":\"/billing\","
                    + "\"traceparent\":\"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\",\"sequence\":\"7\","
                    + "\"tenantid\":\"acme\",\"priority\":5,\"urgent\":true,\"nested\":{\"x\":1},\"nothing\":null,"
                    + "\"data\":{\"id\":\"theirs\"}}";
            sqs.sendMessage(r -> r.queueUrl(url).messageBody(body).messageAttributes(Map.of(
                    "sourceflow.type", MessageAttributeValue.builder().dataType("String").stringValue("Invoice").build(),
                    "correlation-id", MessageAttributeValue.builder().dataType("String").stringValue("c-42").build(),
                    "retries", MessageAttributeValue.builder().dataType("Number").stringValue("3").build())));
            await().atMost(Duration.ofSeconds(60)).until(() -> seen.contexts.containsKey("theirs"));

            MessageContext theirs = seen.contexts.get("theirs");
            assertThat(theirs.extensions()).containsExactlyInAnyOrderEntriesOf(
                    Map.of("tenantid", "acme", "priority", "5", "urgent", "true"));
            assertThat(theirs.messageAttributes()).containsExactlyInAnyOrderEntriesOf(
                    Map.of("correlation-id", "c-42", "retries", "3"));
            MessageContext ours = seen.contexts.get("ours");
            assertThat(ours.extensions()).as("SourceFlow's own attributes are not extensions").isEmpty();
            assertThat(ours.messageAttributes()).as("nor message attributes a foreign producer set").isEmpty();
        }
    }
}
