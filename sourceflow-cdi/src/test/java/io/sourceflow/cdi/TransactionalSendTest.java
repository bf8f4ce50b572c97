package io.sourceflow.cdi;

import com.arjuna.ats.jta.TransactionManager;
import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.SourceFlowException;
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
import java.util.concurrent.TimeUnit;

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
            assertThat(messagesOn(sqs, queue)).as("nothing leaves before the commit").isZero();
            assertThat(async).isNotDone();
            TransactionManager.transactionManager().commit();

            async.get(30, TimeUnit.SECONDS);
            assertThat(messagesOn(sqs, queue)).isEqualTo(2);
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
            CompletableFuture<Void> async = bus.sendAsync(new Ship("o-3", "rolled back")).toCompletableFuture();
            TransactionManager.transactionManager().rollback();

            assertThatThrownBy(() -> async.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(SourceFlowException.class)
                    .hasMessageContaining("rolled back");
            assertThat(messagesOn(sqs, queue)).isZero();
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
