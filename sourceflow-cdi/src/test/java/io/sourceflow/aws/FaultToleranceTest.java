package io.sourceflow.aws;

import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.EntityKey;
import io.sourceflow.SendTo;
import io.sourceflow.testing.AwsClients;
import io.sourceflow.testing.AwsRequestCounter;
import io.sourceflow.testing.AwsTestConfig;
import io.sourceflow.testing.CdiContainer;
import io.sourceflow.testing.ElasticMqExtension;
import io.sourceflow.testing.ElasticMqServer;
import io.sourceflow.testing.FailingEndpoint;
import io.sourceflow.testing.RequestCounting;
import io.sourceflow.testing.TcpProxy;
import io.sourceflow.testing.TestOpenTelemetry;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The send calls under SmallRye Fault Tolerance's real interceptors (Weld SE): retry of retryable
 * failures only, the circuit breaker, and the MP FT configuration keys of docs/operations.md.
 */
@ExtendWith(ElasticMqExtension.class)
class FaultToleranceTest {

    private static final String SEND = "io.sourceflow.aws.AwsSendCalls/sendMessageBatch/";

    @SendTo("ft-orders")
    public record Ship(@EntityKey String orderId) implements Command {}

    private static Map<String, String> config(URI endpoint, String queue, Map<String, String> extra) {
        Map<String, String> config = new HashMap<>(AwsTestConfig.emulator(endpoint));
        config.put("sourceflow.routes.commands.Ship", queue);
        config.put("sourceflow.aws.command-listener.enabled", "false");
        config.put("sourceflow.aws.batch-linger", "0ms");
        config.putAll(extra);
        return config;
    }

    private static int messagesOn(SqsClient sqs, String queue) {
        String url = sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
        int count = 0;
        while (true) {
            int got = sqs.receiveMessage(r -> r.queueUrl(url).waitTimeSeconds(1).maxNumberOfMessages(10).visibilityTimeout(30)).messages().size();
            if (got == 0) {
                return count;
            }
            count += got;
        }
    }

    @Test
    void oneTransientFailureIsRetriedByFaultToleranceAndTheMessageIsSentAndCountedOnce(ElasticMqServer elasticMq) throws Exception {
        String queue = "ft-orders-" + AwsTestConfig.unique();
        TestOpenTelemetry.Sdk otel = TestOpenTelemetry.install();
        try (FailingEndpoint failing = new FailingEndpoint();
             CdiContainer service = CdiContainer.startWithFaultTolerance(config(elasticMq.endpoint(), queue, Map.of()),
                     RequestCounting.class, FailingEndpoint.Bean.class, TestOpenTelemetry.class);
             SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            AwsRequestCounter counter = service.select(AwsRequestCounter.class);
            failing.failNext("SendMessageBatch", 1, 503, "ServiceUnavailable");

            service.select(CommandBus.class).send(new Ship("o-1"));

            assertThat(failing.answered()).isEqualTo(1);
            // two executions, each one attempt: the SDK's own retries are off under FT
            assertThat(counter.count("SendMessageBatch")).isEqualTo(2);
            assertThat(messagesOn(sqs, queue)).isEqualTo(1);
            Map<String, String> tags = Map.of("messaging.destination.name", queue);
            assertThat(otel.sum("sourceflow.aws.command.dispatched", tags)).isEqualTo(1);
            assertThat(otel.sum("sourceflow.aws.command.dispatch_error", tags)).isZero();
        }
    }

    @Test
    void throttlingIsRetriedWithADelayAndCounted(ElasticMqServer elasticMq) throws Exception {
        String queue = "ft-orders-" + AwsTestConfig.unique();
        TestOpenTelemetry.Sdk otel = TestOpenTelemetry.install();
        try (FailingEndpoint failing = new FailingEndpoint();
             CdiContainer service = CdiContainer.startWithFaultTolerance(config(elasticMq.endpoint(), queue,
                             Map.of(SEND + "Retry/delay", "300", SEND + "Retry/jitter", "0")),
                     RequestCounting.class, FailingEndpoint.Bean.class, TestOpenTelemetry.class);
             SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            failing.failNext("SendMessageBatch", 2, 400, "ThrottlingException");

            long start = System.nanoTime();
            service.select(CommandBus.class).send(new Ship("o-1"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(took).as("two retries, each after the configured delay: no tight loop").isGreaterThanOrEqualTo(Duration.ofMillis(600));
            assertThat(service.select(AwsRequestCounter.class).count("SendMessageBatch")).isEqualTo(3);
            assertThat(otel.sum("sourceflow.aws.throttled", Map.of("rpc.method", "SendMessageBatch"))).isEqualTo(2);
            assertThat(messagesOn(sqs, queue)).isEqualTo(1);
        }
    }

    @Test
    void aNonRetryableFailureFailsAtOnce(ElasticMqServer elasticMq) throws Exception {
        String queue = "ft-orders-" + AwsTestConfig.unique();
        TestOpenTelemetry.install();
        try (FailingEndpoint failing = new FailingEndpoint();
             CdiContainer service = CdiContainer.startWithFaultTolerance(config(elasticMq.endpoint(), queue, Map.of()),
                     RequestCounting.class, FailingEndpoint.Bean.class, TestOpenTelemetry.class)) {
            failing.failNext("SendMessageBatch", 5, 403, "AccessDenied");

            assertThatThrownBy(() -> service.select(CommandBus.class).send(new Ship("o-1")))
                    .isInstanceOf(SendFailedException.class).hasMessageContaining("AccessDenied");
            assertThat(service.select(AwsRequestCounter.class).count("SendMessageBatch")).isEqualTo(1);
        }
    }

    /** Sends that fail (endpoint down) until the breaker opens; returns how many reached the SDK. */
    private static void failSends(CdiContainer service, int count) {
        for (int i = 0; i < count; i++) {
            assertThatThrownBy(() -> service.select(CommandBus.class).send(new Ship("o-down"))).isInstanceOf(SendFailedException.class);
        }
    }

    @Test
    void theCircuitBreakerOpensWhileTheEndpointIsDownAndClosesAfterTheDelayOnceItIsBack(ElasticMqServer elasticMq) throws Exception {
        long openMillis = 8_000;
        String queue = "ft-orders-" + AwsTestConfig.unique();
        TestOpenTelemetry.Sdk otel = TestOpenTelemetry.install();
        try (TcpProxy proxy = TcpProxy.to(elasticMq.endpoint());
             CdiContainer service = CdiContainer.startWithFaultTolerance(config(proxy.endpoint(), queue, Map.of(
                             SEND + "Retry/maxRetries", "0",
                             SEND + "CircuitBreaker/requestVolumeThreshold", "2",
                             SEND + "CircuitBreaker/failureRatio", "1.0",
                             // long enough that the seven calls below, on a busy machine, all fall inside it
                             SEND + "CircuitBreaker/delay", String.valueOf(openMillis))),
                     RequestCounting.class, TestOpenTelemetry.class);
             SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            CommandBus bus = service.select(CommandBus.class);
            bus.send(new Ship("o-up")); // provisioned and sent while the endpoint is up
            AwsRequestCounter counter = service.select(AwsRequestCounter.class);

            proxy.cutOff();
            counter.reset();
            failSends(service, 2);
            assertThat(counter.count("SendMessageBatch")).as("both failures reached the SDK").isEqualTo(2);

            long openedAt = System.nanoTime();
            failSends(service, 5);
            assertThat(counter.count("SendMessageBatch")).as("open: no request leaves").isEqualTo(2);
            assertThatThrownBy(() -> bus.send(new Ship("o-open"))).hasMessageContaining("circuit breaker is open")
                    .hasRootCauseInstanceOf(CircuitBreakerOpenException.class);
            assertThat(otel.sum("sourceflow.aws.command.dispatch_error", Map.of("messaging.destination.name", queue,
                    "error.type", CircuitBreakerOpenException.class.getName()))).isEqualTo(6);

            proxy.restore();
            await().atMost(Duration.ofMillis(openMillis).plusSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .untilAsserted(() -> bus.send(new Ship("o-back")));
            assertThat(Duration.ofNanos(System.nanoTime() - openedAt)).isGreaterThanOrEqualTo(Duration.ofMillis(openMillis));
            assertThat(messagesOn(sqs, queue)).isEqualTo(2); // o-up and o-back
        }
    }

    @Test
    void withoutTheRequestVolumeKeyTheBreakerNeedsTheDefaultTenCalls(ElasticMqServer elasticMq) throws Exception {
        String queue = "ft-orders-" + AwsTestConfig.unique();
        TestOpenTelemetry.Sdk otel = TestOpenTelemetry.install();
        try (TcpProxy proxy = TcpProxy.to(elasticMq.endpoint());
             CdiContainer service = CdiContainer.startWithFaultTolerance(config(proxy.endpoint(), queue, Map.of(
                             SEND + "Retry/maxRetries", "0")),
                     RequestCounting.class, TestOpenTelemetry.class)) {
            service.select(CommandBus.class).send(new Ship("o-up"));
            AwsRequestCounter counter = service.select(AwsRequestCounter.class);
            proxy.cutOff();
            counter.reset();
            failSends(service, 5);
            // the same failures as above, but the documented default (requestVolumeThreshold=10) keeps it closed
            assertThat(counter.count("SendMessageBatch")).isEqualTo(5);
        }
    }
}
