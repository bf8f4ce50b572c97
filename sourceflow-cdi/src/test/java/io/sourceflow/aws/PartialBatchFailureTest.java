package io.sourceflow.aws;

import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.EntityKey;
import io.sourceflow.testing.AwsClients;
import io.sourceflow.testing.AwsTestConfig;
import io.sourceflow.testing.CdiContainer;
import io.sourceflow.testing.ElasticMqExtension;
import io.sourceflow.testing.ElasticMqServer;
import io.sourceflow.testing.PartiallyFailingBatches;
import jakarta.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13, item 14: SQS answers a SendMessageBatch with per-entry failures inside a successful response. Those entries
 * were failed at once (after a commit: a lost message), and on a FIFO queue the rest of the group went ahead of them.
 * Driven through the CommandBus against ElasticMQ, with a local endpoint in front of it that fails chosen entries.
 */
@ExtendWith(ElasticMqExtension.class)
class PartialBatchFailureTest {

    public record Step(@EntityKey String group, String label) implements Command {}

    @Test
    void anEntryFailedByTheServiceIsSentAgainAndTheRestOfItsGroupStaysBehindIt(ElasticMqServer elasticMq) throws Exception {
        String queue = "partial-" + AwsTestConfig.unique() + ".fifo";
        Map<String, String> config = AwsTestConfig.emulator(elasticMq.endpoint());
        config.put("sourceflow.routes.commands.Step", queue);
        config.put("sourceflow.aws.command-listener.enabled", "false");
        config.put("sourceflow.aws.batch-linger", "100ms");
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs();
             PartiallyFailingBatches batches = new PartiallyFailingBatches(elasticMq.endpoint());
             CdiContainer app = CdiContainer.start(config, PartiallyFailingBatches.Bean.class)) {
            batches.rejectEntries("A-1", 2, "InternalError", false);
            CommandBus bus = app.select(CommandBus.class);
            List<CompletableFuture<Void>> sends = new ArrayList<>();
            for (int n = 1; n <= 3; n++) {
                for (String group : List.of("A", "B", "C")) {
                    sends.add(bus.sendAsync(new Step(group, group + "-" + n)).toCompletableFuture());
                }
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertThat(batches.rejected()).isEqualTo(2);

            String url = sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
            List<String> labels = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (labels.size() < 9 && System.nanoTime() < deadline) {
                for (Message m : sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)).messages()) {
                    labels.add(label(m));
                    sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(m.receiptHandle()));
                }
            }
            assertThat(labels).containsExactlyInAnyOrder("A-1", "A-2", "A-3", "B-1", "B-2", "B-3", "C-1", "C-2", "C-3");
            for (String group : List.of("A", "B", "C")) {
                assertThat(labels.stream().filter(l -> l.startsWith(group)).toList()).as("order of group " + group)
                        .containsExactly(group + "-1", group + "-2", group + "-3");
            }
        }
    }

    private static String label(Message message) {
        return Json.createReader(new StringReader(message.body())).readObject().getJsonObject("data").getString("label");
    }
}
