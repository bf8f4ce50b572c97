package io.sourceflow.sample.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.Topic;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two Open Liberty servers with the same sample WAR, on different ports, sharing one database and one emulator:
 * 50 orders placed alternately on both all reach PAID, and every saga step of every order committed exactly once
 * (counted in {@code saga_step}), whichever server handled it.
 *
 * <p>To prove that the JPA idempotency store is what keeps it at once, the test delivers every {@code OrderPlaced}
 * event twice: a probe queue subscribed to {@code order-events} copies each event, and the test sends the copy (same
 * body, same attributes, so the same CloudEvents id) to the servers' shared queue {@code sourceflow-sample-events},
 * where either server may receive it, while the original may still be in flight. Only a store both servers share
 * recognises it; with {@code -Dsample.it.idempotency-store=memory} (each server's in-memory store) the test fails.
 *
 * <p>Both servers relay their transactional outboxes into the same emulator, each also sweeping up the other's rows;
 * an {@link EmulatorProxy} in front of the emulator counts every message the emulator accepted, by CloudEvents id,
 * and the test fails if any was accepted twice (relayed by both servers, or twice by one).
 */
class TwoLibertyServersIT {

    private static final int ORDERS = 50;
    private static final String PROBE = "duplicate-probe";

    private static Moto moto;
    private static EmulatorProxy proxy;
    private static LibertyServer first;
    private static LibertyServer second;

    @BeforeAll
    static void start() throws Exception {
        LibertyServer.home();
        Environment.requireDatabase();
        moto = Moto.start(Environment.path("sample.work-dir"));
        proxy = EmulatorProxy.start(moto.endpoint());
        first = LibertyServer.start("sample-a", SampleServer.sampleSettings(moto, "liberty-a").withEndpoint(proxy.endpoint()));
        second = LibertyServer.start("sample-b", SampleServer.sampleSettings(moto, "liberty-b").withEndpoint(proxy.endpoint()));
    }

    @AfterAll
    static void stop() {
        try {
            for (LibertyServer server : new LibertyServer[] {first, second}) {
                if (server != null) {
                    server.stop();
                }
            }
            for (LibertyServer server : new LibertyServer[] {first, second}) {
                if (server != null) {
                    SampleChecks.assertNoErrors(server);
                }
            }
        } finally {
            if (proxy != null) {
                proxy.close();
            }
            if (moto != null) {
                moto.close();
            }
        }
    }

    @Test
    void fiftyOrdersOnTwoServersAreEachPaidWithEveryStepOnce() throws Exception {
        try (SqsClient sqs = moto.sqs(); SnsClient sns = moto.sns()) {
            String probe = subscribeProbe(sqs, sns);
            String events = sqs.getQueueUrl(b -> b.queueName("sourceflow-sample-events")).queueUrl();
            long t0 = System.nanoTime();
            java.sql.Timestamp started = new java.sql.Timestamp(System.currentTimeMillis() - 1000);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < ORDERS; i++) {
                SampleServer server = i % 2 == 0 ? first : second;
                ids.add(SampleChecks.placeOrder(server, "customer-" + i, (10 + i) + ".25"));
            }
            int duplicates = redeliverEvents(sqs, probe, events, ORDERS, Duration.ofSeconds(120));
            assertEquals(ORDERS, duplicates, "OrderPlaced events copied and sent again");
            awaitDrained(sqs, events, Duration.ofSeconds(90)); // every copy handled or skipped before counting
            awaitAllPaidOnceEach(ids, t0);
            // one mark per original event (OrderPlaced, PaymentProcessed): a copy shares its original's key
            long marks = doneMarks(started);
            System.out.printf("Two Liberty servers: %d OrderPlaced events delivered twice; %d idempotency marks "
                    + "(DONE) in sourceflow_processed_message for sourceflow-sample-events%n", duplicates, marks);
            if (System.getProperty("sample.it.idempotency-store", "").isBlank()) {
                assertEquals(2L * ORDERS, marks, "DONE marks of sourceflow-sample-events written by this test");
            }
            assertEachMessageAcceptedOnce();
        }
    }

    /**
     * Every message the servers sent (one per saga step: PlaceOrder, OrderPlaced, ProcessPayment, PaymentProcessed,
     * NotifyCustomer) reached the emulator exactly once: neither server relayed an outbox row the other relayed too.
     */
    private static void assertEachMessageAcceptedOnce() {
        Map<String, Integer> accepted = proxy.acceptedIds();
        Map<String, Integer> twice = new java.util.TreeMap<>(accepted);
        twice.values().removeIf(count -> count == 1);
        System.out.printf("Two Liberty servers: the emulator accepted %d messages, %d more than once; requests %s%n",
                accepted.size(), twice.size(), proxy.requests());
        assertEquals(Map.of(), twice, "messages the emulator accepted more than once (CloudEvents id -> times)");
        assertEquals(ORDERS * SampleChecks.STEPS.size(), accepted.size(), "messages sent for " + ORDERS + " orders");
    }

    private void awaitAllPaidOnceEach(List<String> ids, long t0) throws Exception {
        for (int i = 0; i < ids.size(); i++) {
            // read each order from the other server than the one it was placed on
            SampleChecks.awaitPaid(i % 2 == 0 ? second : first, ids.get(i), Duration.ofSeconds(120));
        }
        long paid = (System.nanoTime() - t0) / 1_000_000;
        SampleChecks.assertEachStepOnce(ids, Duration.ofSeconds(30));
        System.out.printf("Two Liberty servers: %d orders PAID %d ms after the first POST; every step once%n", ORDERS, paid);
    }

    /** A queue subscribed to order-events with raw delivery, as SourceFlow subscribes its own queues. */
    private static String subscribeProbe(SqsClient sqs, SnsClient sns) {
        String probe = sqs.createQueue(b -> b.queueName(PROBE)).queueUrl();
        String probeArn = sqs.getQueueAttributes(b -> b.queueUrl(probe).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        String topicArn = sns.listTopics().topics().stream().map(Topic::topicArn)
                .filter(arn -> arn.endsWith(":order-events")).findFirst()
                .orElseThrow(() -> new AssertionError("no topic order-events in moto"));
        sns.subscribe(b -> b.topicArn(topicArn).protocol("sqs").endpoint(probeArn)
                .attributes(Map.of("RawMessageDelivery", "true")));
        return probe;
    }

    /** Sends each event arriving on the probe queue again to {@code target}, same body and attributes; returns how many. */
    private static int redeliverEvents(SqsClient sqs, String probe, String target, int expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int sent = 0;
        while (sent < expected && System.nanoTime() < deadline) {
            List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(probe).waitTimeSeconds(1)
                    .maxNumberOfMessages(10).messageAttributeNames("All")).messages();
            for (Message m : messages) {
                sqs.sendMessage(b -> b.queueUrl(target).messageBody(m.body()).messageAttributes(m.messageAttributes()));
                sqs.deleteMessage(b -> b.queueUrl(probe).receiptHandle(m.receiptHandle()));
                sent++;
            }
        }
        return sent;
    }

    /** Waits until {@code queue} has no message left, visible or in flight. */
    private static void awaitDrained(SqsClient sqs, String queue, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<QueueAttributeName, String> attributes = Map.of();
        while (System.nanoTime() < deadline) {
            attributes = sqs.getQueueAttributes(b -> b.queueUrl(queue).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
            if (attributes.values().stream().allMatch("0"::equals)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(queue + " not drained within " + timeout + ": " + attributes);
    }

    /** DONE rows of the shared event queue in the idempotency table, marked since {@code since}. */
    private static long doneMarks(java.sql.Timestamp since) throws Exception {
        try (Connection db = Environment.database(); PreparedStatement query = db.prepareStatement(
                "SELECT count(*) FROM sourceflow_processed_message "
                        + "WHERE consumer = 'sourceflow-sample-events' AND status = 'DONE' AND processed_at >= ?")) {
            query.setTimestamp(1, since);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
