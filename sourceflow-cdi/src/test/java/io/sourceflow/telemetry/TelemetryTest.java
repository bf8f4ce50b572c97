package io.sourceflow.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.EntityKey;
import io.sourceflow.Event;
import io.sourceflow.EventPublisher;
import io.sourceflow.Handles;
import io.sourceflow.MessageContext;
import io.sourceflow.RaiseTo;
import io.sourceflow.RejectMessage;
import io.sourceflow.SendTo;
import io.sourceflow.Sensitive;
import io.sourceflow.testing.AwsTestConfig;
import io.sourceflow.testing.CdiContainer;
import io.sourceflow.testing.ElasticMqExtension;
import io.sourceflow.testing.ElasticMqServer;
import io.sourceflow.testing.MotoExtension;
import io.sourceflow.testing.MotoServer;
import io.sourceflow.testing.Received;
import io.sourceflow.testing.TestOpenTelemetry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Spans and metrics through the OpenTelemetry SDK's in-memory exporters, across deployments. */
@ExtendWith({ElasticMqExtension.class, MotoExtension.class})
class TelemetryTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String CARD = "4111111111111111";
    private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");

    @SendTo("traced-orders")
    public record PlaceOrder(@EntityKey String orderId, int line,
                             @Sensitive(kind = Sensitive.Kind.CARD) String card) implements Command {}

    @RaiseTo("traced-events")
    public record OrderPlaced(String orderId) implements Event {}

    @ApplicationScoped
    public static class OrderHandler {
        @Inject Received received;

        void on(@Handles PlaceOrder command, MessageContext context) {
            if (command.line() < 0) {
                throw new RejectMessage("card " + command.card() + " is blocked");
            }
            if (command.line() == 0) {
                throw new IllegalStateException("card " + command.card() + " was declined");
            }
            received.add("order", command, context);
        }
    }

    @ApplicationScoped
    public static class Projection {
        @Inject Received received;

        void on(@Handles OrderPlaced event, MessageContext context) {
            received.add("projection", event, context);
        }
    }

    private static Map<String, String> commands(ElasticMqServer elasticMq, String queue, boolean listen) {
        Map<String, String> config = new HashMap<>(AwsTestConfig.emulator(elasticMq.endpoint()));
        config.put("sourceflow.routes.commands.PlaceOrder", queue);
        config.put("sourceflow.aws.command-listener.enabled", Boolean.toString(listen));
        config.put("sourceflow.aws.visibility-timeout", "2s");
        config.put("sourceflow.telemetry.queue-depth-interval", "1s");
        return config;
    }

    private static String attr(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.stringKey(key));
    }

    @Test
    void aCommandSentInASpanIsProcessedInAChildSpanOfItsProducerSpanInAnotherDeployment(ElasticMqServer elasticMq) {
        String queue = "traced-orders-" + AwsTestConfig.unique();
        TestOpenTelemetry.Sdk otel = TestOpenTelemetry.install();
        try (CdiContainer sender = CdiContainer.start(commands(elasticMq, queue, false), Received.class, TestOpenTelemetry.class);
             CdiContainer receiver = CdiContainer.start(commands(elasticMq, queue, true), OrderHandler.class, Received.class,
                     TestOpenTelemetry.class)) {
            Span checkout = otel.openTelemetry().getTracer("test").spanBuilder("checkout").startSpan();
            try (Scope ignored = checkout.makeCurrent()) {
                sender.select(CommandBus.class).send(new PlaceOrder("o-1", 1, CARD));
            } finally {
                checkout.end();
            }
            MessageContext handled = receiver.select(Received.class).awaitCount(1, WAIT).get(0).context();

            await().atMost(WAIT).until(() -> otel.spans(s -> s.getName().equals("process " + queue)).size() == 1);
            SpanData producer = otel.spans(s -> s.getName().equals("send " + queue)).get(0);
            SpanData consumer = otel.spans(s -> s.getName().equals("process " + queue)).get(0);

            assertThat(producer.getKind()).isEqualTo(SpanKind.PRODUCER);
            assertThat(producer.getTraceId()).isEqualTo(checkout.getSpanContext().getTraceId());
            assertThat(producer.getParentSpanId()).isEqualTo(checkout.getSpanContext().getSpanId());
            assertThat(attr(producer, "messaging.system")).isEqualTo("aws_sqs");
            assertThat(attr(producer, "messaging.operation.type")).isEqualTo("send");
            assertThat(attr(producer, "messaging.destination.name")).isEqualTo(queue);
            assertThat(attr(producer, "messaging.message.id")).isEqualTo(handled.messageId());

            assertThat(consumer.getKind()).isEqualTo(SpanKind.CONSUMER);
            assertThat(consumer.getTraceId()).isEqualTo(producer.getTraceId());
            assertThat(consumer.getParentSpanId()).isEqualTo(producer.getSpanId());
            assertThat(consumer.getLinks()).anyMatch(l -> l.getSpanContext().getSpanId().equals(producer.getSpanId()));
            assertThat(attr(consumer, "messaging.system")).isEqualTo("aws_sqs");
            assertThat(attr(consumer, "messaging.operation.type")).isEqualTo("process");
            assertThat(attr(consumer, "messaging.destination.name")).isEqualTo(queue);
            assertThat(attr(consumer, "messaging.message.id")).isEqualTo(handled.messageId());
            assertThat(consumer.getAttributes().get(AttributeKey.longKey("sourceflow.message.receive_count"))).isEqualTo(1L);
            assertThat(consumer.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);
        }
    }

    @Test
    void anEventFannedOutToTwoServicesHasTwoConsumerSpansLinkedToItsOneProducerSpan(MotoServer moto) {
        String topic = "traced-events-" + AwsTestConfig.unique();
        String billing = "billing-" + AwsTestConfig.unique();
        String shipping = "shipping-" + AwsTestConfig.unique();
        TestOpenTelemetry.Sdk otel = TestOpenTelemetry.install();
        Map<String, String> base = new HashMap<>(AwsTestConfig.emulator(moto.endpoint()));
        base.put("sourceflow.routes.events.OrderPlaced", topic);
        Map<String, String> billingConfig = new HashMap<>(base);
        billingConfig.put("sourceflow.service-name", billing);
        Map<String, String> shippingConfig = new HashMap<>(base);
        shippingConfig.put("sourceflow.service-name", shipping);
        try (CdiContainer billingService = CdiContainer.start(billingConfig, Projection.class, Received.class, TestOpenTelemetry.class);
             CdiContainer shippingService = CdiContainer.start(shippingConfig, Projection.class, Received.class, TestOpenTelemetry.class)) {
            billingService.select(EventPublisher.class).raise(new OrderPlaced("o-1"));
            billingService.select(Received.class).awaitCount(1, WAIT);
            shippingService.select(Received.class).awaitCount(1, WAIT);

            await().atMost(WAIT).until(() -> otel.spans(s -> s.getKind() == SpanKind.CONSUMER).size() == 2);
            List<SpanData> producers = otel.spans(s -> s.getKind() == SpanKind.PRODUCER);
            assertThat(producers).hasSize(1);
            SpanData producer = producers.get(0);
            assertThat(producer.getName()).isEqualTo("publish " + topic);
            assertThat(attr(producer, "messaging.system")).isEqualTo("aws.sns");
            List<SpanData> consumers = otel.spans(s -> s.getKind() == SpanKind.CONSUMER);
            assertThat(consumers).extracting(s -> s.getAttributes().get(DESTINATION))
                    .containsExactlyInAnyOrder(billing + "-events", shipping + "-events");
            for (SpanData consumer : consumers) {
                assertThat(consumer.getTraceId()).isEqualTo(producer.getTraceId());
                assertThat(consumer.getParentSpanId()).isEqualTo(producer.getSpanId());
                assertThat(consumer.getLinks()).singleElement()
                        .satisfies(l -> assertThat(l.getSpanContext().getSpanId()).isEqualTo(producer.getSpanId()));
            }
        }
    }

    @Test
    void metricsCountWhatWasSentHandledFailedAndDeadLetteredAndASensitiveValueIsInNoSpan(ElasticMqServer elasticMq) {
        String queue = "traced-orders-" + AwsTestConfig.unique();
        TestOpenTelemetry.Sdk otel = TestOpenTelemetry.install();
        try (CdiContainer service = CdiContainer.start(commands(elasticMq, queue, true), OrderHandler.class, Received.class,
                TestOpenTelemetry.class)) {
            CommandBus bus = service.select(CommandBus.class);
            for (int line = 1; line <= 3; line++) {
                bus.send(new PlaceOrder("o-" + line, line, CARD));
            }
            bus.send(new PlaceOrder("o-fail", 0, CARD));    // fails: retried until the redrive policy takes it
            bus.send(new PlaceOrder("o-reject", -1, CARD)); // rejected: dead-lettered at once
            service.select(Received.class).awaitCount(3, WAIT);
            // a real duplicate: one CloudEvent (sent to a holding queue by a send-only deployment) delivered twice
            String hold = queue + "-hold";
            try (CdiContainer sender = CdiContainer.start(commands(elasticMq, hold, false));
                 software.amazon.awssdk.services.sqs.SqsClient sqs = io.sourceflow.testing.AwsClients.of(elasticMq).sqs()) {
                sender.select(CommandBus.class).send(new PlaceOrder("o-dup", 4, CARD));
                var original = io.sourceflow.testing.RawMessages.takeOne(sqs, sqs.getQueueUrl(r -> r.queueName(hold)).queueUrl(), WAIT);
                String url = sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
                io.sourceflow.testing.RawMessages.sendCopy(sqs, url, original);
                service.select(Received.class).awaitCount(4, WAIT);
                io.sourceflow.testing.RawMessages.sendCopy(sqs, url, original);
            }

            Map<String, String> tags = Map.of("messaging.destination.name", queue, "sourceflow.message.type", "PlaceOrder");
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(otel.sum("sourceflow.aws.message.processed", tags)).isEqualTo(4);
                assertThat(otel.sum("sourceflow.aws.message.duplicate", tags)).isEqualTo(1);
                assertThat(otel.sum("sourceflow.aws.message.dead_lettered", Map.of("messaging.destination.name", queue,
                        "sourceflow.dead_letter.reason", "Rejected"))).isEqualTo(1);
                assertThat(otel.sum("sourceflow.aws.message.processing_error", Map.of("messaging.destination.name", queue,
                        "error.type", "java.lang.IllegalStateException"))).isGreaterThanOrEqualTo(1);
                assertThat(otel.sum("sourceflow.aws.queue.depth", Map.of("messaging.destination.name", queue + "-dlq"))).isEqualTo(1);
            });
            // 5 sent here; the send-only deployment has no OpenTelemetry bean, so its send is not counted here
            assertThat(otel.sum("sourceflow.aws.command.dispatched", tags)).isEqualTo(5);
            assertThat(otel.histogramCount("sourceflow.aws.command.dispatch_duration", tags)).isEqualTo(5);
            assertThat(otel.sum("sourceflow.aws.command.dispatch_error", tags)).isZero();
            long received = otel.sum("sourceflow.aws.message.received", tags);
            long failed = otel.sum("sourceflow.aws.message.processing_error", tags);
            assertThat(received).isGreaterThanOrEqualTo(7).isEqualTo(3 + 2 + failed); // 3 handled, o-dup twice, failures
            assertThat(otel.sum("sourceflow.aws.message.processing_error", Map.of("messaging.destination.name", queue,
                    "error.type", "Rejected"))).isEqualTo(1);
            assertThat(otel.sum("sourceflow.aws.message.duplicate", tags)).isEqualTo(1);
            assertThat(otel.unit("sourceflow.aws.message.processing_duration")).isEqualTo("s");
            assertThat(otel.sum("sourceflow.aws.message.in_flight", Map.of("messaging.destination.name", queue)))
                    .isBetween(0L, 1L); // the failing message may be in its next attempt

            // the failures are on their spans, and the card number is in no attribute, event or status of any span
            List<SpanData> spans = otel.finishedSpans();
            assertThat(spans).anyMatch(s -> s.getStatus().getStatusCode() == StatusCode.ERROR
                    && "Rejected".equals(attr(s, "sourceflow.dead_letter.reason")));
            assertThat(spans).anyMatch(s -> s.getEvents().stream().anyMatch(e -> "exception".equals(e.getName())
                    && "java.lang.IllegalStateException".equals(e.getAttributes().get(AttributeKey.stringKey("exception.type")))
                    && String.valueOf(e.getAttributes().get(AttributeKey.stringKey("exception.message"))).contains("****1111")));
            for (SpanData span : spans) {
                Stream<Object> values = Stream.concat(Stream.concat(span.getAttributes().asMap().values().stream(),
                                span.getEvents().stream().flatMap(e -> e.getAttributes().asMap().values().stream())),
                        Stream.of(span.getName(), span.getStatus().getDescription()));
                assertThat(values.map(String::valueOf)).as(span.getName()).noneMatch(v -> v.contains(CARD));
            }
            // metric attributes carry the type and destination only, never the entity key
            assertThat(otel.collect()).allSatisfy(m -> assertThat(m.getData().getPoints())
                    .allSatisfy(p -> assertThat(p.getAttributes().asMap().values()).noneMatch(v -> String.valueOf(v).startsWith("o-"))));
        }
    }
}
