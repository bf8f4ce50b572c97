package io.sourceflow.aws;

import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.Handles;
import io.sourceflow.RejectMessage;
import io.sourceflow.testing.AwsTestConfig;
import io.sourceflow.testing.CdiContainer;
import io.sourceflow.testing.ElasticMqExtension;
import io.sourceflow.testing.ElasticMqServer;
import io.sourceflow.testing.FailingEndpoint;
import jakarta.enterprise.context.ApplicationScoped;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13, item 19: where SQS's move task is not available, redrive moves messages one by one; when the redriven
 * messages are dead-lettered again at once (the handler still rejects them), that loop never ended. It is bounded by
 * the count the dead-letter queue had when the redrive started.
 */
@ExtendWith(ElasticMqExtension.class)
class RedriveFallbackTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    public record Poison(String id) implements Command {}

    @ApplicationScoped
    public static class StillRejecting {
        void on(@Handles Poison poison) {
            throw new RejectMessage("still poison: " + poison.id());
        }
    }

    @Test
    void aRedriveOfMessagesThatAreDeadLetteredAgainEndsAfterTheCountItStartedWith(ElasticMqServer elasticMq) throws Exception {
        String queue = "poison-" + AwsTestConfig.unique();
        Map<String, String> config = AwsTestConfig.emulator(elasticMq.endpoint());
        config.put("sourceflow.routes.commands.Poison", queue);
        try (FailingEndpoint failing = new FailingEndpoint();
             CdiContainer app = CdiContainer.start(config, StillRejecting.class, FailingEndpoint.Bean.class)) {
            app.select(CommandBus.class).send(new Poison("p-1"));
            app.select(CommandBus.class).send(new Poison("p-2"));
            DeadLetterQueues deadLetters = app.select(DeadLetterQueues.class);
            await().atMost(WAIT).until(() -> deadLetters.approximateCount(queue) == 2);
            failing.failNext("StartMessageMoveTask", 1, 400, "UnsupportedOperation");

            RedriveResult result = CompletableFuture.supplyAsync(() -> deadLetters.redrive(queue)).get(60, TimeUnit.SECONDS);

            assertThat(result.serverSide()).isFalse();
            assertThat(result.moved()).as("the two it found, not again and again").isEqualTo(2);
            await().atMost(WAIT).until(() -> deadLetters.approximateCount(queue) == 2); // rejected again: back in the DLQ
        }
    }
}
