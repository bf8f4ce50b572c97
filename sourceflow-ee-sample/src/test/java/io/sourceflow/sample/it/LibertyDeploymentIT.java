package io.sourceflow.sample.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.Topic;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sample on a real Open Liberty server (started once for this class) against moto and the machine's
 * PostgreSQL: an order becomes PAID, {@code /health} is UP with SourceFlow's checks, bad requests get problem
 * answers (the REST edge: {@link RestEdgeChecks}), and the server log has no errors. It runs the quick start's configuration, encryption on (KMS key
 * {@code alias/sourceflow-sample} in moto), unless {@code -Dsample.it.encryption=false}: then an event copied off
 * its topic must show the encrypted content type and not the customer's name.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LibertyDeploymentIT {

    /** The content type of encrypted CloudEvents data (MessageEncryptor.ENCRYPTED_DATA_CONTENT_TYPE). */
    private static final String ENCRYPTED = "application/vnd.sourceflow.encrypted+json";

    private static Moto moto;
    private static LibertyServer server;
    private static boolean encryption;

    @BeforeAll
    static void start() throws Exception {
        LibertyServer.home();
        Environment.requireDatabase();
        Path work = Environment.path("sample.work-dir");
        moto = Moto.start(work);
        long t0 = System.nanoTime();
        encryption = SampleServer.encryption(true);
        SampleServer.Settings settings = SampleServer.sampleSettings(moto, "liberty", encryption);
        // cleanup every second, so that expiredIdempotencyRowsAreCleaned sees it run
        settings.systemProperties().put("sourceflow.idempotency.jpa.cleanup.interval", "1s");
        // the sample's client errors at FINE in trace.log, so that clientErrorsAreLoggedAtFine sees them there
        settings.environment().put("SAMPLE_TRACE_SPECIFICATION", "*=info:io.sourceflow.sample.Problem=fine");
        server = LibertyServer.start("sample-it", settings);
        System.out.printf("Open Liberty up in %d ms (encryption %s): %s%n", (System.nanoTime() - t0) / 1_000_000,
                encryption ? "on" : "off", server);
    }

    @AfterAll
    static void stop() {
        SampleChecks.stopAndAssertNoErrors(server, moto);
    }

    @Test
    @Order(1)
    void anOrderBecomesPaid() throws Exception {
        SampleChecks.assertAnOrderBecomesPaid(server, "Liberty");
    }

    @Test
    @Order(2)
    void healthIsUp() throws Exception {
        SampleChecks.assertHealthUp(server);
    }

    @Test
    @Order(3)
    void badRequestsGetProblemAnswers() throws Exception {
        SampleChecks.assertBadRequestsAreProblems(server);
    }

    /** The order body is strict JSON: wrong types, duplicate and unknown members, trailing content are 400s. */
    @Test
    @Order(3)
    void orderJsonIsStrict() throws Exception {
        RestEdgeChecks.assertOrderJsonIsStrict(server);
    }

    /** Every client error is one shape of problem+json: 404 outside the API, 405 with Allow, 406, 415, bad ids. */
    @Test
    @Order(3)
    void errorsAreUniformProblems() throws Exception {
        RestEdgeChecks.assertErrorsAreUniformProblems(server);
    }

    /** Bodies above 64 KiB get 413 without being read: declared, chunked, and a real 20 MiB body. */
    @Test
    @Order(3)
    void bodiesAboveTheCapAreRefused() throws Exception {
        RestEdgeChecks.assertBodiesAreCapped(server, 20 * 1024 * 1024);
    }

    /** Client errors are logged at FINE (trace.log), never as WARNING in messages.log. */
    @Test
    @Order(3)
    void clientErrorsAreLoggedAtFine() throws Exception {
        RestEdgeChecks.assertClientErrorsAreLoggedAtFine(server, server.logFile().resolveSibling("trace.log"));
    }

    /**
     * With encryption on, what travels is ciphertext: a probe queue subscribed to {@code order-events} (raw delivery,
     * as SourceFlow subscribes its own queues) receives the {@code OrderPlaced} event, whose body names the encrypted
     * content type and does not contain the customer's name; the order still becomes PAID (decrypted by the sample).
     */
    @Test
    @Order(4)
    void messagesOnQueuesAreEncrypted() throws Exception {
        Assumptions.assumeTrue(encryption, "encryption is off (-Dsample.it.encryption=false)");
        Assumptions.assumeTrue(SampleServer.awsRouting(), "in-process routing: no queues");
        try (SqsClient sqs = moto.sqs(); SnsClient sns = moto.sns()) {
            String probe = sqs.createQueue(b -> b.queueName("encryption-probe")).queueUrl();
            String probeArn = sqs.getQueueAttributes(b -> b.queueUrl(probe).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes().get(QueueAttributeName.QUEUE_ARN);
            String topicArn = sns.listTopics().topics().stream().map(Topic::topicArn)
                    .filter(arn -> arn.endsWith(":order-events")).findFirst()
                    .orElseThrow(() -> new AssertionError("no topic order-events in moto"));
            sns.subscribe(b -> b.topicArn(topicArn).protocol("sqs").endpoint(probeArn)
                    .attributes(Map.of("RawMessageDelivery", "true")));

            String customer = "carol-" + UUID.randomUUID();
            String orderId = SampleChecks.placeOrder(server, customer, "7.00");
            assertEquals(customer, SampleChecks.awaitPaid(server, orderId, Duration.ofSeconds(60)).getString("customer"));

            List<Message> received = sqs.receiveMessage(b -> b.queueUrl(probe).waitTimeSeconds(10)
                    .maxNumberOfMessages(10)).messages();
            assertFalse(received.isEmpty(), "no event reached the probe queue subscribed to " + topicArn);
            for (Message message : received) {
                String body = message.body();
                assertTrue(body.contains(ENCRYPTED), () -> "not encrypted: " + body);
                assertFalse(body.contains(customer), () -> "the customer's name is readable on the queue: " + body);
                assertFalse(body.contains("\"total\""), () -> "the order's data is readable on the queue: " + body);
            }
            String sample = received.get(0).body();
            System.out.printf("Liberty: %d event(s) on the probe queue, encrypted: %s...%n", received.size(),
                    sample.substring(0, Math.min(240, sample.length())));
        }
    }

    /** The idempotency cleanup runs on a thread from Liberty's ManagedThreadFactory and deletes expired rows. */
    @Test
    @Order(5)
    void expiredIdempotencyRowsAreCleaned() throws Exception {
        SampleChecks.assertExpiredIdempotencyRowsAreCleaned("liberty-cleanup", Duration.ofSeconds(30));
    }
}
