package io.sourceflow.idempotency.jpa;

import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.Handles;
import io.sourceflow.aws.ProcessingStatistics;
import io.sourceflow.spi.Claim;
import io.sourceflow.spi.ClaimOutcome;
import io.sourceflow.testing.AwsClients;
import io.sourceflow.testing.AwsTestConfig;
import io.sourceflow.testing.CdiContainer;
import io.sourceflow.testing.ElasticMqExtension;
import io.sourceflow.testing.ElasticMqServer;
import io.sourceflow.testing.RawMessages;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.persistence.EntityManagerFactory;
import jakarta.transaction.Transactional;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The listener with the JPA store, end to end: ElasticMQ, Weld SE deployments (one per "instance") with
 * {@code sourceflow.idempotency.store=jpa}, Hibernate ORM on a JTA persistence unit, Narayana's {@code @Transactional}
 * interceptors, and the machine's database. Each deployment has its own persistence unit over the same database,
 * as separate instances of a service do. Subclasses pick PostgreSQL or MariaDB.
 */
@ExtendWith(ElasticMqExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ListenerIdempotencyContract {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String ROWS = "sourceflow_test_handler_row";

    private final TestDatabase db;

    ListenerIdempotencyContract(TestDatabase db) {
        this.db = db;
    }

    public record Write(String key) implements Command {}
    public record WriteThenFailOnce(String key) implements Command {}
    public record FailOnce(String key) implements Command {}
    public record Block(String key) implements Command {}
    public record WriteAndSend(String key) implements Command {}
    public record RollbackOnlyOnce(String key) implements Command {}

    /** What one instance's handlers did. */
    @Singleton
    public static class Probe {
        final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        final CountDownLatch gate = new CountDownLatch(1);

        int attempt(String key) {
            return attempts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }

        int attempts(String key) {
            AtomicInteger n = attempts.get(key);
            return n == null ? 0 : n.get();
        }
    }

    /**
     * The application's persistence, as in a server: one JTA data source (connections enlisted with the
     * transaction) shared by its persistence unit and by the handlers' JDBC work. The database comes from the
     * deployment's {@code test.database} key, read at startup before SourceFlow starts its listeners (the
     * configuration is found through the deployment's context class loader, which worker threads do not have).
     */
    @ApplicationScoped
    public static class ApplicationPersistence {
        private volatile EnlistedDataSource dataSource;
        private volatile EntityManagerFactory emf;

        void start(@Observes @Priority(1) @Initialized(ApplicationScoped.class) Object startup) {
            dataSource = new EnlistedDataSource(
                    TestDatabase.valueOf(ConfigProvider.getConfig().getValue("test.database", String.class)).xaDataSource(),
                    NarayanaJta.transactionManager());
        }

        @Produces
        @IdempotencyPersistenceUnit
        EntityManagerFactory emf() {
            if (emf == null) {
                synchronized (this) {
                    if (emf == null) {
                        emf = HibernateSe.jta(dataSource);
                    }
                }
            }
            return emf;
        }

        @Produces
        DataSource dataSource() {
            return dataSource;
        }

        @PreDestroy
        void close() {
            if (emf != null) {
                emf.close();
            }
        }
    }

    /** Handlers that write through the JTA data source inside their {@code @Transactional} method. */
    @ApplicationScoped
    public static class Handlers {
        @Inject Probe probe;
        @Inject DataSource dataSource;
        @Inject CommandBus bus;

        @Transactional
        public void on(@Handles WriteAndSend command) {
            probe.attempt(command.key());
            insertRow(command.key());
            bus.send(new Write(command.key() + "-next")); // leaves after the commit
        }

        @Transactional
        public void on(@Handles Write command) {
            probe.attempt(command.key());
            insertRow(command.key());
        }

        @Transactional
        public void on(@Handles WriteThenFailOnce command) {
            int attempt = probe.attempt(command.key());
            insertRow(command.key());
            if (attempt == 1) {
                throw new IllegalStateException("fails after writing its row, inside its transaction");
            }
        }

        /** Returns normally, but its transaction was marked rollback-only (a caught failure of a nested call, say). */
        @Transactional
        public void on(@Handles RollbackOnlyOnce command) throws jakarta.transaction.SystemException {
            int attempt = probe.attempt(command.key());
            insertRow(command.key());
            if (attempt == 1) {
                com.arjuna.ats.jta.TransactionManager.transactionManager().setRollbackOnly();
            }
        }

        @Transactional
        public void on(@Handles FailOnce command) {
            if (probe.attempt(command.key()) == 1) {
                throw new IllegalStateException("first attempt fails");
            }
            insertRow(command.key());
        }

        @Transactional
        public void on(@Handles Block command) throws InterruptedException {
            probe.attempt(command.key());
            if (!probe.gate.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never opened the gate");
            }
            insertRow(command.key());
        }

        private void insertRow(String key) {
            try (Connection c = dataSource.getConnection();
                 PreparedStatement insert = c.prepareStatement("insert into " + ROWS + " (message_key) values (?)")) {
                insert.setString(1, key);
                insert.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @BeforeAll
    void database() {
        db.requireAndCreateSchema();
        db.execute("create table if not exists " + ROWS + " (message_key varchar(100) not null)");
    }

    private Map<String, String> config(ElasticMqServer elasticMq, String queue, String... more) {
        Map<String, String> config = AwsTestConfig.emulator(elasticMq.endpoint());
        for (Class<?> type : List.of(Write.class, WriteThenFailOnce.class, FailOnce.class, Block.class, WriteAndSend.class,
                RollbackOnlyOnce.class)) {
            config.put("sourceflow.routes.commands." + type.getSimpleName(), queue);
        }
        config.put("sourceflow.aws.visibility-timeout", "3s");
        config.put("sourceflow.aws.retry.initial-delay", "1s");
        config.put("sourceflow.idempotency.store", "jpa");
        config.put("sourceflow.idempotency.jpa.cleanup.enabled", "false");
        config.put("test.database", db.name());
        for (int i = 0; i < more.length; i += 2) {
            config.put(more[i], more[i + 1]);
        }
        return config;
    }

    private CdiContainer instance(ElasticMqServer elasticMq, String queue, String... more) {
        return CdiContainer.start(config(elasticMq, queue, more),
                List.of(new JpaIdempotencyExtension(), new com.arjuna.ats.jta.cdi.TransactionExtension()),
                Handlers.class, Probe.class, ApplicationPersistence.class);
    }

    /** Sends {@code command} through a deployment whose listener is off, and takes it off the queue raw. */
    private Message captured(ElasticMqServer elasticMq, String queue, SqsClient sqs, Command command) {
        try (CdiContainer sender = instance(elasticMq, queue, "sourceflow.aws.command-listener.enabled", "false")) {
            sender.select(CommandBus.class).send(command);
        }
        return RawMessages.takeOne(sqs, url(sqs, queue), Duration.ofSeconds(20));
    }

    private static String url(SqsClient sqs, String queue) {
        return sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
    }

    private long rows(String key) {
        return db.count("select count(*) from " + ROWS + " where message_key = '" + key + "'");
    }

    private long marks(String queue, String status) {
        return db.count("select count(*) from sourceflow_processed_message where consumer = '" + queue + "' and status = '"
                + status + "'");
    }

    private long claimRows(String queue) {
        return db.count("select count(*) from sourceflow_processed_message where consumer = '" + queue + "'");
    }

    @Test
    void aDuplicateDeliveryRunsTheHandlerOnceAndIsCounted(ElasticMqServer elasticMq) {
        String queue = "jpa-dup-" + AwsTestConfig.unique();
        String key = "dup-" + queue;
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            Message original = captured(elasticMq, queue, sqs, new Write(key));
            String url = url(sqs, queue);
            RawMessages.sendCopy(sqs, url, original);
            RawMessages.sendCopy(sqs, url, original);
            try (CdiContainer consumer = instance(elasticMq, queue)) {
                ProcessingStatistics statistics = consumer.select(ProcessingStatistics.class);
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(RawMessages.approximateCount(sqs, url)).isZero();
                    assertThat(statistics.duplicatesSkipped(queue)).isEqualTo(1);
                });
                assertThat(consumer.select(Probe.class).attempts(key)).as("handler runs").isEqualTo(1);
                assertThat(rows(key)).isEqualTo(1);
                assertThat(marks(queue, "DONE")).isEqualTo(1);
            }
        }
    }

    @Test
    void twoInstancesReceivingTheSameMessageAtOnceRunItOnceAndTheOtherNeitherRunsNorDeletesIt(ElasticMqServer elasticMq) {
        String queue = "jpa-two-" + AwsTestConfig.unique();
        String key = "two-" + queue;
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            Message original = captured(elasticMq, queue, sqs, new Block(key));
            String url = url(sqs, queue);
            RawMessages.sendCopy(sqs, url, original);
            RawMessages.sendCopy(sqs, url, original);
            // a 6 s lease (not the suite's 3 s): two instances, their databases and ElasticMQ share two cores here, and
            // with other load a claim's round trip alone can take seconds; the test is about renewal, not about that
            String[] oneAtATime = {"sourceflow.aws.max-concurrent-messages", "1", "sourceflow.aws.visibility-timeout", "6s"};
            try (CdiContainer a = instance(elasticMq, queue, oneAtATime);
                 CdiContainer b = instance(elasticMq, queue, oneAtATime)) {
                List<CdiContainer> instances = List.of(a, b);
                // one instance runs the handler and blocks in it; the other receives the second copy meanwhile
                await().atMost(WAIT).until(() -> attempts(instances, key) == 1 && held(instances, queue) >= 1);
                long started = System.nanoTime();
                // hold the handler for more than two leases: the claim must be renewed, or the other would take over
                await().atMost(WAIT).pollDelay(Duration.ofSeconds(13)).until(() -> held(instances, queue) >= 2);
                assertThat(System.nanoTime() - started).isGreaterThan(TimeUnit.SECONDS.toNanos(12));
                assertThat(attempts(instances, key)).as("only one instance ran the handler").isEqualTo(1);
                assertThat(RawMessages.approximateCount(sqs, url)).as("neither copy deleted before the first finished").isEqualTo(2);
                assertThat(marks(queue, "DONE")).isZero();

                instances.forEach(i -> i.select(Probe.class).gate.countDown());
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(RawMessages.approximateCount(sqs, url)).isZero();
                    assertThat(duplicates(instances, queue)).isEqualTo(1);
                });
                assertThat(attempts(instances, key)).isEqualTo(1);
                assertThat(rows(key)).isEqualTo(1);
                assertThat(marks(queue, "DONE")).isEqualTo(1);
            }
        }
    }

    @Test
    void afterAnInstanceCrashedMidHandlerItsLeaseExpiresAndAnotherInstanceHandlesTheMessage(ElasticMqServer elasticMq) {
        String queue = "jpa-crash-" + AwsTestConfig.unique();
        String key = "crash-" + queue;
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs()) {
            Message original = captured(elasticMq, queue, sqs, new Write(key));
            String url = url(sqs, queue);
            // the crashed instance: its own persistence unit claimed the message, and nobody will renew or release it
            EntityManagerFactory crashedEmf = HibernateSe.jta(new EnlistedDataSource(db.xaDataSource(), NarayanaJta.transactionManager()));
            try (CdiContainer survivor = instance(elasticMq, queue)) {
                Claim abandoned = new JpaIdempotencyStore(new JtaTransactionRunner(crashedEmf, NarayanaJta.transactionManager()),
                        Clock.systemUTC()).claim(queue, RawMessages.cloudEventId(original), Duration.ofSeconds(4));
                assertThat(abandoned.outcome()).isEqualTo(ClaimOutcome.CLAIMED);
                RawMessages.sendCopy(sqs, url, original);
                ProcessingStatistics statistics = survivor.select(ProcessingStatistics.class);
                Probe probe = survivor.select(Probe.class);
                await().atMost(WAIT).until(() -> statistics.heldElsewhere(queue) >= 1);
                assertThat(probe.attempts(key)).as("not run while the crashed instance's lease is live").isZero();
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(RawMessages.approximateCount(sqs, url)).isZero();
                    assertThat(probe.attempts(key)).isEqualTo(1);
                });
                assertThat(rows(key)).as("nothing lost, nothing doubled").isEqualTo(1);
                assertThat(marks(queue, "DONE")).isEqualTo(1);
            } finally {
                crashedEmf.close();
            }
        }
    }

    @Test
    void aFailingHandlerReleasesItsClaimAndTheRetrySucceedsOnce(ElasticMqServer elasticMq) {
        String queue = "jpa-retry-" + AwsTestConfig.unique();
        String key = "retry-" + queue;
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs();
             CdiContainer consumer = instance(elasticMq, queue)) {
            consumer.select(CommandBus.class).send(new FailOnce(key));
            Probe probe = consumer.select(Probe.class);
            String url = url(sqs, queue);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(RawMessages.approximateCount(sqs, url)).isZero();
                assertThat(marks(queue, "DONE")).isEqualTo(1);
            });
            assertThat(probe.attempts(key)).isEqualTo(2);
            assertThat(rows(key)).isEqualTo(1);
            assertThat(consumer.select(ProcessingStatistics.class).duplicatesSkipped(queue)).isZero();
        }
    }

    @Test
    void aHandlerFailingAfterItsWriteRollsBackItsRowAndTheMarkAndTheRetryWritesOnce(ElasticMqServer elasticMq) {
        String queue = "jpa-tx-" + AwsTestConfig.unique();
        String key = "tx-" + queue;
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs();
             CdiContainer consumer = instance(elasticMq, queue, "sourceflow.aws.retry.initial-delay", "4s")) {
            consumer.select(CommandBus.class).send(new WriteThenFailOnce(key));
            Probe probe = consumer.select(Probe.class);
            String url = url(sqs, queue);
            // after the failure, the claim is released (its row deleted) and the retry waits for its delay
            await().atMost(WAIT).until(() -> probe.attempts(key) == 1 && claimRows(queue) == 0);
            assertThat(rows(key)).as("the handler's row rolled back").isZero();
            assertThat(marks(queue, "DONE")).as("no done mark").isZero();

            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(RawMessages.approximateCount(sqs, url)).isZero();
                assertThat(marks(queue, "DONE")).isEqualTo(1);
            });
            assertThat(probe.attempts(key)).isEqualTo(2);
            assertThat(rows(key)).as("the retry wrote its row once").isEqualTo(1);
        }
    }

    /**
     * Issue 13, item 20: a handler that returned normally in a transaction marked rollback-only had its row and its
     * done mark rolled back, yet its message was deleted as handled: lost without a trace.
     */
    @Test
    void aHandlerWhoseTransactionWasMarkedRollbackOnlyIsRetriedNotDeleted(ElasticMqServer elasticMq) {
        String queue = "jpa-rbo-" + AwsTestConfig.unique();
        String key = "rbo-" + queue;
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs();
             CdiContainer consumer = instance(elasticMq, queue)) {
            consumer.select(CommandBus.class).send(new RollbackOnlyOnce(key));
            Probe probe = consumer.select(Probe.class);
            String url = url(sqs, queue);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(probe.attempts(key)).as("retried after the rolled-back attempt").isEqualTo(2);
                assertThat(RawMessages.approximateCount(sqs, url)).isZero();
                assertThat(marks(queue, "DONE")).isEqualTo(1);
            });
            assertThat(rows(key)).as("only the retry's row was committed").isEqualTo(1);
        }
    }

    @Test
    void aHandlerWhoseClaimWasTakenOverMeanwhileCommitsNothingAndItsMessageStays(ElasticMqServer elasticMq) {
        String queue = "jpa-lost-" + AwsTestConfig.unique();
        String key = "lost-" + queue;
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs();
             CdiContainer consumer = instance(elasticMq, queue)) {
            assertThat(consumer.select(io.sourceflow.spi.IdempotencyStore.class).joinsTransactions())
                    .as("the JPA store on a JTA unit runs handlers in its transaction").isTrue();
            consumer.select(CommandBus.class).send(new Block(key));
            Probe probe = consumer.select(Probe.class);
            String url = url(sqs, queue);
            await().atMost(WAIT).until(() -> probe.attempts(key) == 1);
            // while the handler runs, "another instance" takes the claim over (as after an expired lease)
            db.execute("update sourceflow_processed_message set owner = 'another-instance', lease_expiry = expires_at"
                    + " where consumer = '" + queue + "'");
            probe.gate.countDown();
            ProcessingStatistics statistics = consumer.select(ProcessingStatistics.class);
            await().atMost(WAIT).until(() -> statistics.heldElsewhere(queue) >= 1);
            assertThat(rows(key)).as("the handler's row rolled back with the lost mark").isZero();
            assertThat(marks(queue, "DONE")).isZero();
            assertThat(RawMessages.approximateCount(sqs, url)).as("the message was not deleted").isEqualTo(1);

            db.execute("delete from sourceflow_processed_message where consumer = '" + queue + "'"); // the other gave up
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(RawMessages.approximateCount(sqs, url)).isZero();
                assertThat(marks(queue, "DONE")).isEqualTo(1);
            });
            assertThat(probe.attempts(key)).isEqualTo(2);
            assertThat(rows(key)).isEqualTo(1);
        }
    }

    @Test
    void aCommandSentByAHandlerLeavesAfterTheCommitOfItsTransaction(ElasticMqServer elasticMq) {
        String queue = "jpa-send-" + AwsTestConfig.unique();
        String key = "send-" + queue;
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs();
             CdiContainer consumer = instance(elasticMq, queue)) {
            consumer.select(CommandBus.class).send(new WriteAndSend(key));
            String url = url(sqs, queue);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(rows(key + "-next")).isEqualTo(1);
                assertThat(RawMessages.approximateCount(sqs, url)).isZero();
                assertThat(marks(queue, "DONE")).isEqualTo(2);
            });
            assertThat(rows(key)).isEqualTo(1);
            assertThat(consumer.select(Probe.class).attempts(key)).isEqualTo(1);
        }
    }

    private static int attempts(List<CdiContainer> instances, String key) {
        return instances.stream().mapToInt(i -> i.select(Probe.class).attempts(key)).sum();
    }

    private static long held(List<CdiContainer> instances, String queue) {
        return instances.stream().mapToLong(i -> i.select(ProcessingStatistics.class).heldElsewhere(queue)).sum();
    }

    private static long duplicates(List<CdiContainer> instances, String queue) {
        return instances.stream().mapToLong(i -> i.select(ProcessingStatistics.class).duplicatesSkipped(queue)).sum();
    }
}
