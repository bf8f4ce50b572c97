package io.sourceflow.cdi;

import com.arjuna.ats.jta.TransactionManager;
import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.aws.MessageTooLargeException;
import io.sourceflow.testing.AwsClients;
import io.sourceflow.testing.AwsTestConfig;
import io.sourceflow.testing.CdiContainer;
import io.sourceflow.testing.ElasticMqExtension;
import io.sourceflow.testing.ElasticMqServer;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Inside a JTA transaction a routed message leaves only after the commit, and never after a rollback. */
@ExtendWith(ElasticMqExtension.class)
class TransactionalSendTest {

    public record Ship(String orderId, String note) implements Command {}

    /** Narayana's registry as the server would provide it. */
    public static class Jta {
        @Produces
        @Singleton
        TransactionSynchronizationRegistry registry() {
            return new com.arjuna.ats.internal.jta.transaction.arjunacore.TransactionSynchronizationRegistryImple();
        }
    }

    private static CdiContainer deploy(ElasticMqServer elasticMq, String queue) {
        Map<String, String> config = AwsTestConfig.emulator(elasticMq.endpoint());
        config.put("sourceflow.routes.commands.Ship", queue);
        return CdiContainer.start(config, Jta.class);
    }

    private static int messagesOn(SqsClient sqs, String queue) {
        String url = sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
        return sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)).messages().size();
    }

    /** A send after the rollback is the marker: had a rolled-back send gone out, it would be on the queue before it. */
    private static void assertOnlyAMarkerSentAfterwardsArrives(CommandBus bus, SqsClient sqs, String queue) {
        bus.send(new Ship("marker", ""));
        String url = sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
        var bodies = sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)).messages()
                .stream().map(software.amazon.awssdk.services.sqs.model.Message::body).toList();
        assertThat(bodies).hasSize(1).allMatch(body -> body.contains("marker"));
    }

    @Test
    void aSendInsideATransactionLeavesAfterTheCommit(ElasticMqServer elasticMq) throws Exception {
        String queue = "ship-" + AwsTestConfig.unique();
        try (CdiContainer service = deploy(elasticMq, queue); SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            CommandBus bus = service.select(CommandBus.class);
            bus.send(new Ship("warm-up", "")); // provisions the queue outside any transaction
            assertThat(messagesOn(sqs, queue)).isEqualTo(1);

            TransactionManager.transactionManager().begin();
            bus.send(new Ship("o-1", "inside"));
            CompletableFuture<Void> async = bus.sendAsync(new Ship("o-2", "inside")).toCompletableFuture();
            assertThat(async).as("completes when enlisted: waiting for the send would deadlock the transaction").isCompleted();
            assertThat(messagesOn(sqs, queue)).as("nothing leaves before the commit").isZero();
            TransactionManager.transactionManager().commit();

            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(messagesOn(sqs, queue)).isEqualTo(2));
        }
    }

    @Test
    void aRollbackDropsTheSend(ElasticMqServer elasticMq) throws Exception {
        String queue = "ship-" + AwsTestConfig.unique();
        try (CdiContainer service = deploy(elasticMq, queue); SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            CommandBus bus = service.select(CommandBus.class);
            bus.send(new Ship("warm-up", ""));
            assertThat(messagesOn(sqs, queue)).isEqualTo(1);

            TransactionManager.transactionManager().begin();
            bus.sendAsync(new Ship("o-3", "rolled back"));
            bus.send(new Ship("o-4", "rolled back"));
            TransactionManager.transactionManager().rollback();

            assertOnlyAMarkerSentAfterwardsArrives(bus, sqs, queue);
        }
    }

    /** Issue 13, item 10: the gate deferred only in STATUS_ACTIVE, so this send went out at once and survived. */
    @Test
    void aSendInsideATransactionMarkedRollbackOnlyIsDroppedWithIt(ElasticMqServer elasticMq) throws Exception {
        String queue = "ship-" + AwsTestConfig.unique();
        try (CdiContainer service = deploy(elasticMq, queue); SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            CommandBus bus = service.select(CommandBus.class);
            bus.send(new Ship("warm-up", ""));
            assertThat(messagesOn(sqs, queue)).isEqualTo(1);

            TransactionManager.transactionManager().begin();
            TransactionManager.transactionManager().setRollbackOnly();
            bus.send(new Ship("o-5", "doomed"));
            TransactionManager.transactionManager().rollback();

            assertOnlyAMarkerSentAfterwardsArrives(bus, sqs, queue);
        }
    }

    @Test
    void aMessageThatCanNeverBeSentFailsInsideTheTransaction(ElasticMqServer elasticMq) throws Exception {
        String queue = "ship-" + AwsTestConfig.unique();
        try (CdiContainer service = deploy(elasticMq, queue)) {
            CommandBus bus = service.select(CommandBus.class);
            TransactionManager.transactionManager().begin();
            try {
                assertThatThrownBy(() -> bus.send(new Ship("o-4", "x".repeat(1_100_000))))
                        .isInstanceOf(MessageTooLargeException.class);
            } finally {
                TransactionManager.transactionManager().rollback();
            }
        }
    }
}
