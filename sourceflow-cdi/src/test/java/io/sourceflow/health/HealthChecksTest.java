package io.sourceflow.health;

import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import io.sourceflow.Command;
import io.sourceflow.Handles;
import io.sourceflow.aws.ListenerControl;
import io.sourceflow.testing.AwsClients;
import io.sourceflow.testing.AwsRequestCounter;
import io.sourceflow.testing.AwsTestConfig;
import io.sourceflow.testing.CdiContainer;
import io.sourceflow.testing.ElasticMqExtension;
import io.sourceflow.testing.ElasticMqServer;
import io.sourceflow.testing.RequestCounting;
import io.sourceflow.testing.TcpProxy;
import jakarta.enterprise.context.ApplicationScoped;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The health checks through the real SmallRye Health reporter, against ElasticMQ. */
@ExtendWith(ElasticMqExtension.class)
class HealthChecksTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    public record Ping(String id) implements Command {}

    @ApplicationScoped
    public static class PingHandler {
        void on(@Handles Ping ping) {
        }
    }

    static Class<?>[] beans(Class<?>... more) {
        return Stream.concat(Stream.of(Health.REPORTER), Stream.of(more)).toArray(Class<?>[]::new);
    }

    static Map<String, String> config(URI endpoint, String queue) {
        Map<String, String> config = AwsTestConfig.emulator(endpoint);
        config.put("sourceflow.routes.commands.Ping", queue);
        return config;
    }

    @Test
    void aDeploymentWithoutRoutesIsUpOnEveryCheck() {
        try (CdiContainer app = CdiContainer.start(Map.of(), beans())) {
            SmallRyeHealthReporter reporter = app.select(SmallRyeHealthReporter.class);
            SmallRyeHealth all = reporter.getHealth();
            assertThat(all.isDown()).as(all.getPayload().toString()).isFalse();
            assertThat(Health.isUp(all, SourceFlowReadinessCheck.NAME)).isTrue();
            assertThat(Health.isUp(all, SourceFlowLivenessCheck.NAME)).isTrue();
            assertThat(Health.isUp(reporter.getStartup(), SourceFlowStartupCheck.NAME)).isTrue();
            assertThat(Health.data(all, SourceFlowReadinessCheck.NAME, "queues")).isEqualTo("none");
            assertThat(Health.data(reporter.getStartup(), SourceFlowStartupCheck.NAME, "aws")).isEqualTo("false");
        }
    }

    @Test
    void readinessNamesAQueueDeletedAtRuntimeAndIsUpAgainWhenItIsBack(ElasticMqServer elasticMq) {
        String queue = "health-" + AwsTestConfig.unique();
        Map<String, String> config = config(elasticMq.endpoint(), queue);
        config.put("sourceflow.health.cache-ttl", "0s");
        try (CdiContainer app = CdiContainer.start(config, beans(PingHandler.class));
             SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            SmallRyeHealthReporter reporter = app.select(SmallRyeHealthReporter.class);
            SmallRyeHealth ready = reporter.getReadiness();
            assertThat(Health.isUp(ready, SourceFlowReadinessCheck.NAME)).as(ready.getPayload().toString()).isTrue();
            assertThat(Health.data(ready, SourceFlowReadinessCheck.NAME, "queues")).isEqualTo(queue);
            assertThat(Health.data(ready, SourceFlowReadinessCheck.NAME, "dead-letter-queues")).isEqualTo(queue + "-dlq");
            assertThat(ready.getPayload().toString()).doesNotContain("http://").doesNotContain("000000000000");

            sqs.deleteQueue(r -> r.queueUrl(sqs.getQueueUrl(q -> q.queueName(queue)).queueUrl()));

            SmallRyeHealth down = reporter.getReadiness();
            assertThat(down.isDown()).isTrue();
            assertThat(Health.data(down, SourceFlowReadinessCheck.NAME, "down"))
                    .startsWith("queue " + queue + ": does not exist")
                    .doesNotContain("dead-letter-queue");
            // the poller's receives fail now, but it is not stuck: a restart would not bring the queue back
            assertThat(Health.isUp(reporter.getLiveness(), SourceFlowLivenessCheck.NAME)).isTrue();

            sqs.createQueue(r -> r.queueName(queue));
            SmallRyeHealth back = reporter.getReadiness();
            assertThat(Health.isUp(back, SourceFlowReadinessCheck.NAME)).as(back.getPayload().toString()).isTrue();
        }
    }

    @Test
    void readinessResultsAreCachedSoABusyHealthEndpointMakesOneRoundOfCalls(ElasticMqServer elasticMq) {
        String queue = "cached-" + AwsTestConfig.unique();
        Map<String, String> config = config(elasticMq.endpoint(), queue);
        config.put("sourceflow.health.cache-ttl", "1s");
        try (CdiContainer app = CdiContainer.start(config, beans(PingHandler.class, RequestCounting.class))) {
            SmallRyeHealthReporter reporter = app.select(SmallRyeHealthReporter.class);
            AwsRequestCounter counter = app.select(AwsRequestCounter.class);
            counter.reset();
            long started = System.nanoTime();
            SmallRyeHealth first = reporter.getReadiness();
            SmallRyeHealth second = reporter.getHealth();
            SmallRyeHealth third = reporter.getReadiness();
            assertThat(System.nanoTime() - started).as("all three calls within the cache time").isLessThan(Duration.ofSeconds(1).toNanos());
            // one round: the queue and its dead-letter queue
            assertThat(counter.count("GetQueueAttributes")).isEqualTo(2);
            assertThat(Health.data(second, SourceFlowReadinessCheck.NAME, "checked-at"))
                    .isEqualTo(Health.data(first, SourceFlowReadinessCheck.NAME, "checked-at"))
                    .isEqualTo(Health.data(third, SourceFlowReadinessCheck.NAME, "checked-at"));

            await().atMost(WAIT).untilAsserted(() -> {
                reporter.getReadiness();
                assertThat(counter.count("GetQueueAttributes")).isEqualTo(4);
            });
        }
    }

    @Test
    void livenessIsDownWhileAPollerHangsAndReadinessStaysBounded(ElasticMqServer elasticMq) throws Exception {
        String queue = "stuck-" + AwsTestConfig.unique();
        try (TcpProxy proxy = TcpProxy.to(elasticMq.endpoint())) {
            Map<String, String> config = config(proxy.endpoint(), queue);
            config.put("sourceflow.health.max-poll-age", "3s");
            config.put("sourceflow.health.timeout", "1s");
            config.put("sourceflow.health.cache-ttl", "0s");
            try (CdiContainer app = CdiContainer.start(config, beans(PingHandler.class))) {
                SmallRyeHealthReporter reporter = app.select(SmallRyeHealthReporter.class);
                assertThat(Health.isUp(reporter.getLiveness(), SourceFlowLivenessCheck.NAME)).isTrue();
                assertThat(Health.data(reporter.getLiveness(), SourceFlowLivenessCheck.NAME, "queues")).isEqualTo(queue);

                // the endpoint accepts connections and never answers: the long poll hangs (socket timeout 11 s)
                proxy.hold();
                await().atMost(WAIT).until(() -> Health.isDown(reporter.getLiveness(), SourceFlowLivenessCheck.NAME));
                assertThat(Health.data(reporter.getLiveness(), SourceFlowLivenessCheck.NAME, "down"))
                        .startsWith(queue + ": no poll completed for");

                long started = System.nanoTime();
                SmallRyeHealth ready = reporter.getReadiness();
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
                assertThat(Health.data(ready, SourceFlowReadinessCheck.NAME, "down"))
                        .contains("queue " + queue + ": no answer within sourceflow.health.timeout=1s");

                proxy.release();
                await().atMost(WAIT).until(() -> Health.isUp(reporter.getLiveness(), SourceFlowLivenessCheck.NAME));
            }
        }
    }

    @Test
    void aPausedListenerIsAlive(ElasticMqServer elasticMq) throws Exception {
        String queue = "paused-" + AwsTestConfig.unique();
        Map<String, String> config = config(elasticMq.endpoint(), queue);
        config.put("sourceflow.health.max-poll-age", "2s");
        try (CdiContainer app = CdiContainer.start(config, beans(PingHandler.class))) {
            SmallRyeHealthReporter reporter = app.select(SmallRyeHealthReporter.class);
            app.select(ListenerControl.class).pause(queue);
            Thread.sleep(3000);
            SmallRyeHealth live = reporter.getLiveness();
            assertThat(Health.isUp(live, SourceFlowLivenessCheck.NAME)).as(live.getPayload().toString()).isTrue();
            assertThat(Health.data(live, SourceFlowLivenessCheck.NAME, "paused")).isEqualTo(queue);
        }
    }
}
