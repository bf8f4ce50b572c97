package io.sourceflow.idempotency.jpa;

import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.EntityKey;
import io.sourceflow.testing.AwsClients;
import io.sourceflow.testing.AwsTestConfig;
import io.sourceflow.testing.CdiContainer;
import io.sourceflow.testing.ElasticMqExtension;
import io.sourceflow.testing.ElasticMqServer;
import io.sourceflow.testing.TcpProxy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.transaction.Transactional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

import javax.sql.DataSource;
import java.io.StringReader;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The transactional outbox end to end (issue 14): Weld SE deployments with {@code sourceflow.outbox.enabled=true},
 * Narayana's {@code @Transactional}, Hibernate ORM on a JTA persistence unit over the machine's database, and
 * ElasticMQ (behind a TCP proxy that can cut it off). A send inside a transaction is stored in it, relayed after the
 * commit and deleted; a rollback leaves nothing; a committed message that could not be sent (SQS unreachable, then
 * the instance gone) is relayed by the next instance, FIFO groups in order. Subclasses pick PostgreSQL or MariaDB.
 */
@ExtendWith(ElasticMqExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OutboxContract {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String ORDERS = "sourceflow_test_order";

    private final TestDatabase db;

    OutboxContract(TestDatabase db) {
        this.db = db;
    }

    public record Ship(@EntityKey String order, int step) implements Command {}

    /** The application's use case: an order row and the commands announcing it, in one transaction. */
    @ApplicationScoped
    public static class Orders {
        @Inject DataSource dataSource;
        @Inject CommandBus bus;

        @Transactional
        public void place(String order, int steps) {
            insert(order);
            for (int step = 1; step <= steps; step++) {
                bus.send(new Ship(order, step));
            }
        }

        @Transactional
        public void placeThenFail(String order) {
            insert(order);
            bus.send(new Ship(order, 1));
            throw new IllegalStateException("the order is refused after its command was sent");
        }

        private void insert(String order) {
            try (Connection c = dataSource.getConnection();
                 PreparedStatement insert = c.prepareStatement("insert into " + ORDERS + " (order_id) values (?)")) {
                insert.setString(1, order);
                insert.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @BeforeAll
    void database() {
        db.requireAndCreateSchema();
        db.execute("create table if not exists " + ORDERS + " (order_id varchar(100) not null)");
    }

    private Map<String, String> config(URI endpoint, String queue, boolean outbox) {
        Map<String, String> config = AwsTestConfig.emulator(endpoint);
        config.put("sourceflow.routes.commands.Ship", queue);
        config.put("sourceflow.aws.command-listener.enabled", "false");
        config.put("sourceflow.outbox.enabled", String.valueOf(outbox));
        config.put("sourceflow.service-name", "outbox-test-" + queue.hashCode()); // its own rows only
        config.put("sourceflow.outbox.lease", "2s");
        config.put("sourceflow.outbox.relay-interval", "500ms");
        config.put("test.database", db.name());
        return config;
    }

    private CdiContainer instance(URI endpoint, String queue, boolean outbox) {
        return CdiContainer.start(config(endpoint, queue, outbox),
                List.of(new JpaIdempotencyExtension(), new com.arjuna.ats.jta.cdi.TransactionExtension()),
                Orders.class, ListenerIdempotencyContract.ApplicationPersistence.class);
    }

    private long outboxRows(String queue) {
        return db.count("select count(*) from sourceflow_outbox where destination = '" + queue + "'");
    }

    private long orders(String order) {
        return db.count("select count(*) from " + ORDERS + " where order_id = '" + order + "'");
    }

    /** Takes the messages off a queue (deleting them) until {@code expected} came, or none came for a while. */
    private static List<String> take(SqsClient sqs, String queue, int expected, Duration within) {
        String url = sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
        List<String> shipped = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        while (shipped.size() < expected && System.nanoTime() < deadline) {
            for (Message m : sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)).messages()) {
                var data = Json.createReader(new StringReader(m.body())).readObject().getJsonObject("data");
                shipped.add(data.getString("order") + "/" + data.getInt("step"));
                sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(m.receiptHandle()));
            }
        }
        return shipped;
    }

    @Test
    void aSendInACommittedTransactionIsStoredWithItRelayedAndItsRowDeleted(ElasticMqServer elasticMq) {
        String queue = "outbox-" + AwsTestConfig.unique();
        String order = "o-" + queue;
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs();
             CdiContainer app = instance(elasticMq.endpoint(), queue, true)) {
            app.select(Orders.class).place(order, 1);
            assertThat(take(sqs, queue, 1, WAIT)).containsExactly(order + "/1");
            await().atMost(WAIT).until(() -> outboxRows(queue) == 0);
            assertThat(orders(order)).isEqualTo(1);
        }
    }

    @Test
    void aRolledBackTransactionLeavesNeitherARowNorAMessage(ElasticMqServer elasticMq) {
        String queue = "outbox-rb-" + AwsTestConfig.unique();
        String order = "o-" + queue;
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs();
             CdiContainer app = instance(elasticMq.endpoint(), queue, true)) {
            assertThatThrownBy(() -> app.select(Orders.class).placeThenFail(order)).hasMessageContaining("refused");
            app.select(Orders.class).place(order + "-ok", 1); // a later message shows the queue is served
            assertThat(take(sqs, queue, 2, Duration.ofSeconds(5))).containsExactly(order + "-ok/1");
            assertThat(outboxRows(queue)).isZero();
            assertThat(orders(order)).isZero();
        }
    }

    /**
     * The gap the outbox closes: the transaction committed while SQS was unreachable, so the send after the commit
     * failed, and the instance went away. The next instance relays what was committed, a FIFO group in its order.
     */
    @Test
    void whatWasCommittedWhileSqsWasUnreachableIsRelayedByTheNextInstanceInGroupOrder(ElasticMqServer elasticMq) throws Exception {
        String queue = "outbox-crash-" + AwsTestConfig.unique() + ".fifo";
        String order = "o-" + AwsTestConfig.unique();
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs(); TcpProxy proxy = TcpProxy.to(elasticMq.endpoint())) {
            try (CdiContainer first = instance(proxy.endpoint(), queue, true)) {
                proxy.cutOff();
                first.select(Orders.class).place(order, 3);
                assertThat(orders(order)).isEqualTo(1);
                assertThat(outboxRows(queue)).as("committed with the order").isEqualTo(3);
            }
            assertThat(outboxRows(queue)).as("not sent: SQS was unreachable").isEqualTo(3);
            try (CdiContainer next = instance(elasticMq.endpoint(), queue, true)) {
                assertThat(take(sqs, queue, 3, WAIT)).containsExactly(order + "/1", order + "/2", order + "/3");
                await().atMost(WAIT).until(() -> outboxRows(queue) == 0);
            }
        }
    }

    /** The same story without the outbox: the committed order's commands are gone for good. */
    @Test
    void withoutTheOutboxWhatWasCommittedWhileSqsWasUnreachableIsLost(ElasticMqServer elasticMq) throws Exception {
        String queue = "no-outbox-" + AwsTestConfig.unique() + ".fifo";
        String order = "o-" + AwsTestConfig.unique();
        try (SqsClient sqs = AwsClients.of(elasticMq).sqs(); TcpProxy proxy = TcpProxy.to(elasticMq.endpoint())) {
            try (CdiContainer first = instance(proxy.endpoint(), queue, false)) {
                proxy.cutOff();
                first.select(Orders.class).place(order, 1);
            }
            try (CdiContainer next = instance(elasticMq.endpoint(), queue, false)) {
                assertThat(take(sqs, queue, 1, Duration.ofSeconds(5))).isEmpty();
            }
            assertThat(orders(order)).isEqualTo(1);
        }
    }
}
