package io.sourceflow.aws;

import io.sourceflow.Command;
import io.sourceflow.CommandBus;
import io.sourceflow.EntityKey;
import io.sourceflow.Event;
import io.sourceflow.EventPublisher;
import io.sourceflow.Handles;
import io.sourceflow.MessageContext;
import io.sourceflow.RaiseTo;
import io.sourceflow.RejectMessage;
import io.sourceflow.SendTo;
import io.sourceflow.Sensitive;
import io.sourceflow.aws.kms.EncryptionFailedException;
import io.sourceflow.aws.kms.MessageEncryptor;
import io.sourceflow.testing.AwsClients;
import io.sourceflow.testing.AwsRequestCounter;
import io.sourceflow.testing.AwsTestConfig;
import io.sourceflow.testing.CdiContainer;
import io.sourceflow.testing.ElasticMqExtension;
import io.sourceflow.testing.ElasticMqServer;
import io.sourceflow.testing.KmsProxy;
import io.sourceflow.testing.MotoExtension;
import io.sourceflow.testing.MotoServer;
import io.sourceflow.testing.Received;
import io.sourceflow.testing.RequestCounting;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Encryption and masking in the real send/receive pipeline, end to end through the library on moto
 * (SQS, SNS and KMS). KMS outages are simulated by {@link KmsProxy}: KMS requests answered with
 * HTTP 500 {@code KMSInternalException} while SQS and SNS keep working. The cost tests send SQS to
 * ElasticMQ and KMS to moto through {@link KmsProxy} (one endpoint), since 1,000 messages through moto's
 * SQS take about 40 s and through ElasticMQ a few seconds; KMS requests are counted both by the
 * deployment's clients and as they reach the KMS endpoint.
 */
@ExtendWith({MotoExtension.class, ElasticMqExtension.class})
class EncryptedTransportTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String CARD = "4111111111111111";
    private static final String NOTE = "Grüße aus Köln – 𝄞 😀 ✓ 東京";
    private static final BigDecimal AMOUNT = new BigDecimal("98765432109876543210.987654321");

    @SendTo("payments")
    public record Pay(@EntityKey String paymentId, String note, BigDecimal amount, long big,
                      @Sensitive(kind = Sensitive.Kind.CARD) String card) implements Command {}

    @SendTo("refunds")
    public record Refund(String refundId) implements Command {}

    @RaiseTo("payment-events")
    public record Paid(String paymentId, String note, long big) implements Event {}

    @ApplicationScoped
    public static class PaymentHandler {
        @Inject Received received;

        void on(@Handles Pay command, MessageContext context) {
            if (command.note().startsWith("reject:")) {
                throw new RejectMessage("card " + command.card() + " was declined");
            }
            if (command.note().startsWith("fail:")) {
                throw new IllegalStateException("cannot charge card " + command.card(),
                        new IllegalArgumentException("issuer refused " + command.card()));
            }
            received.add("pay", command, context);
        }

        void on(@Handles Refund command, MessageContext context) {
            received.add("refund", command, context);
        }
    }

    @ApplicationScoped
    public static class PaidProjection {
        @Inject Received received;

        void on(@Handles Paid event, MessageContext context) {
            received.add("paid", event, context);
        }
    }

    private static Pay pay(String id) {
        return new Pay(id, NOTE, AMOUNT, Long.MAX_VALUE, CARD);
    }

    private static String createKey(MotoServer moto) {
        try (KmsClient kms = AwsClients.of(moto).kms()) {
            return kms.createKey(b -> b.description("sourceflow pipeline test")).keyMetadata().arn();
        }
    }

    private static Map<String, String> config(URI endpoint, String keyId, String payments, String refunds) {
        Map<String, String> config = AwsTestConfig.emulator(endpoint);
        config.put("sourceflow.routes.commands.Pay", payments);
        config.put("sourceflow.routes.commands.Refund", refunds);
        if (keyId != null) {
            config.put("sourceflow.aws.encryption.enabled", "true");
            config.put("sourceflow.aws.encryption.kms-key-id", keyId);
        }
        return config;
    }

    private static Map<String, String> with(Map<String, String> config, String... keyValues) {
        for (int i = 0; i < keyValues.length; i += 2) {
            config.put(keyValues[i], keyValues[i + 1]);
        }
        return config;
    }

    private static CdiContainer start(Map<String, String> config) {
        return CdiContainer.start(config, PaymentHandler.class, Received.class, RequestCounting.class);
    }

    private static String url(SqsClient sqs, String queue) {
        return sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
    }

    /** Receives {@code count} messages without deleting them; they become visible again after {@code visibility}. */
    private static List<Message> peek(SqsClient sqs, String url, int count) {
        List<Message> all = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        await().atMost(WAIT).until(() -> {
            for (Message m : sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)
                    .visibilityTimeout(30).messageAttributeNames("All")).messages()) {
                if (seen.add(m.messageId())) {
                    all.add(m);
                }
            }
            return all.size() >= count;
        });
        return all;
    }

    private static void release(SqsClient sqs, String url, List<Message> messages) {
        messages.forEach(m -> sqs.changeMessageVisibility(r -> r.queueUrl(url).receiptHandle(m.receiptHandle()).visibilityTimeout(0)));
    }

    private static void delete(SqsClient sqs, String url, List<Message> messages) {
        messages.forEach(m -> sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(m.receiptHandle())));
    }

    private static JsonObject json(String text) {
        try (var reader = Json.createReader(new StringReader(text))) {
            return reader.readObject();
        }
    }

    private static String flip(String base64, int index) {
        byte[] bytes = Base64.getDecoder().decode(base64);
        int i = index < 0 ? bytes.length + index : index;
        bytes[i] ^= 0x01;
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** The body with {@code data} member {@code name} replaced. */
    private static String withData(String body, String name, UnaryOperator<String> change) {
        JsonObject event = json(body);
        JsonObject data = event.getJsonObject("data");
        return Json.createObjectBuilder(event)
                .add("data", Json.createObjectBuilder(data).add(name, change.apply(data.getString(name))))
                .build().toString();
    }

    private static void sendRaw(SqsClient sqs, String url, String body, Message like) {
        sqs.sendMessage(r -> r.queueUrl(url).messageBody(body).messageAttributes(like.messageAttributes()));
    }

    /** Dead letters of a queue, as (reason, error, message id) attributes. */
    private static List<Map<String, String>> deadLetters(SqsClient sqs, String queue, int count) {
        String dlq = url(sqs, queue + "-dlq");
        List<Map<String, String>> result = new ArrayList<>();
        for (Message m : peek(sqs, dlq, count)) {
            Map<String, String> attributes = new HashMap<>();
            m.messageAttributes().forEach((k, v) -> attributes.put(k, v.stringValue()));
            result.add(attributes);
        }
        return result;
    }

    // ------------------------------------------------------------------ round trips

    @Test
    void anEncryptedCommandRoundTripsAndItsBodyRevealsNothing(MotoServer moto) {
        String key = createKey(moto);
        String payments = "payments-" + AwsTestConfig.unique();
        String refunds = "refunds-" + AwsTestConfig.unique();
        try (SqsClient sqs = AwsClients.of(moto).sqs()) {
            try (CdiContainer sender = start(with(config(moto.endpoint(), key, payments, refunds),
                    "sourceflow.aws.command-listener.enabled", "false"))) {
                sender.select(CommandBus.class).send(pay("p-1"));
                sender.select(CommandBus.class).send(pay("p-1"));
            }
            String url = url(sqs, payments);
            List<Message> raw = peek(sqs, url, 2);
            List<JsonObject> envelopes = new ArrayList<>();
            for (Message message : raw) {
                String body = message.body();
                JsonObject event = json(body);
                assertThat(event.getString("datacontenttype")).isEqualTo(MessageEncryptor.ENCRYPTED_DATA_CONTENT_TYPE);
                assertThat(message.messageAttributes().get(WireAttributes.CONTENT_TYPE).stringValue())
                        .isEqualTo(MessageEncryptor.ENCRYPTED_DATA_CONTENT_TYPE);
                assertThat(event.getString("type")).isEqualTo("Pay");
                assertThat(event.getString("subject")).as("the entity key stays readable, by design").isEqualTo("p-1");
                JsonObject data = event.getJsonObject("data");
                assertThat(data.keySet()).containsExactly("v", "alg", "kid", "edk", "iv", "ct");
                assertThat(data.getString("kid")).isEqualTo(key);
                // no piece of any payload value (6 characters or the whole value if shorter) is on the wire
                for (String value : List.of(NOTE, AMOUNT.toPlainString(), Long.toString(Long.MAX_VALUE), CARD,
                        "\"note\"", "\"card\"", "\"amount\"")) {
                    for (int i = 0; i + Math.min(6, value.length()) <= value.length(); i++) {
                        assertThat(body).doesNotContain(value.substring(i, i + Math.min(6, value.length())));
                    }
                }
                envelopes.add(data);
            }
            assertThat(envelopes.get(0).getString("iv")).isNotEqualTo(envelopes.get(1).getString("iv"));
            assertThat(envelopes.get(0).getString("ct")).isNotEqualTo(envelopes.get(1).getString("ct"));
            assertThat(envelopes.get(0).getString("edk")).as("one cached data key").isEqualTo(envelopes.get(1).getString("edk"));
            release(sqs, url, raw);

            try (CdiContainer receiver = start(config(moto.endpoint(), key, payments, refunds))) {
                List<Received.Entry> handled = receiver.select(Received.class).awaitCount(2, WAIT);
                assertThat(handled).extracting(Received.Entry::message).containsExactly(pay("p-1"), pay("p-1"));
                assertThat(handled.get(0).context().destination()).isEqualTo(payments);
            }
        }
    }

    @Test
    void anEncryptedEventFansOutAndAConsumerWithoutEncryptionEnabledDecryptsIt(MotoServer moto) {
        String key = createKey(moto);
        String topic = "payment-events-" + AwsTestConfig.unique();
        String billing = "billing-" + AwsTestConfig.unique();
        String shipping = "shipping-" + AwsTestConfig.unique();
        Map<String, String> billingConfig = with(AwsTestConfig.emulator(moto.endpoint()), "sourceflow.service-name", billing,
                "sourceflow.routes.events.Paid", topic,
                "sourceflow.aws.encryption.enabled", "true", "sourceflow.aws.encryption.kms-key-id", key);
        Map<String, String> shippingConfig = with(AwsTestConfig.emulator(moto.endpoint()), "sourceflow.service-name", shipping,
                "sourceflow.routes.events.Paid", topic);
        try (CdiContainer billingService = CdiContainer.start(billingConfig, PaidProjection.class, Received.class);
             CdiContainer shippingService = CdiContainer.start(shippingConfig, PaidProjection.class, Received.class)) {
            Paid paid = new Paid("p-9", NOTE, Long.MIN_VALUE);
            billingService.select(EventPublisher.class).raise(paid);
            for (CdiContainer service : List.of(billingService, shippingService)) {
                List<Received.Entry> entries = service.select(Received.class).awaitCount(1, WAIT);
                assertThat(entries).extracting(Received.Entry::message).containsExactly(paid);
            }
        }
    }

    @Test
    void plaintextMessagesAreAcceptedByAConsumerWithEncryptionEnabled(MotoServer moto) {
        // rollout: consumers turn encryption on first, producers follow; plaintext keeps flowing meanwhile
        String key = createKey(moto);
        String payments = "payments-" + AwsTestConfig.unique();
        String refunds = "refunds-" + AwsTestConfig.unique();
        try (CdiContainer plainSender = start(with(config(moto.endpoint(), null, payments, refunds),
                "sourceflow.aws.command-listener.enabled", "false"))) {
            plainSender.select(CommandBus.class).send(pay("p-plain"));
        }
        try (CdiContainer receiver = start(config(moto.endpoint(), key, payments, refunds))) {
            assertThat(receiver.select(Received.class).awaitCount(1, WAIT).get(0).message()).isEqualTo(pay("p-plain"));
        }
    }

    // ------------------------------------------------------------------ authentication

    @Test
    void aTamperedEncryptedBodyIsDeadLetteredAsDecryptionFailedAndNeverHandled(MotoServer moto) {
        String key = createKey(moto);
        String payments = "payments-" + AwsTestConfig.unique();
        String refunds = "refunds-" + AwsTestConfig.unique();
        try (SqsClient sqs = AwsClients.of(moto).sqs()) {
            try (CdiContainer sender = start(with(config(moto.endpoint(), key, payments, refunds),
                    "sourceflow.aws.command-listener.enabled", "false"))) {
                sender.select(CommandBus.class).send(pay("p-t"));
            }
            String url = url(sqs, payments);
            Message original = peek(sqs, url, 1).get(0);
            delete(sqs, url, List.of(original));
            String body = original.body();
            sendRaw(sqs, url, withData(body, "ct", ct -> flip(ct, 0)), original);    // ciphertext
            sendRaw(sqs, url, withData(body, "ct", ct -> flip(ct, -1)), original);   // GCM tag (last 16 bytes of ct)
            sendRaw(sqs, url, withData(body, "iv", iv -> flip(iv, 5)), original);    // nonce
            sendRaw(sqs, url, withData(body, "edk", edk -> flip(edk, Base64.getDecoder().decode(edk).length / 2)), original);

            try (CdiContainer receiver = start(config(moto.endpoint(), key, payments, refunds))) {
                List<Map<String, String>> dead = deadLetters(sqs, payments, 4);
                assertThat(dead).hasSize(4).allSatisfy(attributes -> {
                    assertThat(attributes.get("sourceflow.dlq.reason")).isEqualTo("DecryptionFailed");
                    assertThat(attributes.get("sourceflow.dlq.error")).contains("DecryptionFailedException");
                });
                assertThat(receiver.select(Received.class).entries()).as("the handler never ran").isEmpty();
            }
        }
    }

    @Test
    void anEncryptedBodyMovedOntoAnotherTypeIdOrQueueIsRefused(MotoServer moto) {
        String key = createKey(moto);
        String payments = "payments-" + AwsTestConfig.unique();
        String refunds = "refunds-" + AwsTestConfig.unique();
        try (SqsClient sqs = AwsClients.of(moto).sqs()) {
            try (CdiContainer sender = start(with(config(moto.endpoint(), key, payments, refunds),
                    "sourceflow.aws.command-listener.enabled", "false"))) {
                sender.select(CommandBus.class).send(pay("p-m"));
            }
            String paymentsUrl = url(sqs, payments);
            String refundsUrl = url(sqs, refunds);
            Message original = peek(sqs, paymentsUrl, 1).get(0);
            delete(sqs, paymentsUrl, List.of(original));
            JsonObject event = json(original.body());
            // another type, handled by the same deployment on the same queue
            sendRaw(sqs, paymentsUrl, Json.createObjectBuilder(event).add("type", "Refund").build().toString(), original);
            // another message id
            sendRaw(sqs, paymentsUrl, Json.createObjectBuilder(event).add("id", "forged-id").build().toString(), original);
            // the unchanged body on another queue the deployment polls
            sendRaw(sqs, refundsUrl, original.body(), original);

            try (CdiContainer receiver = start(config(moto.endpoint(), key, payments, refunds))) {
                // another type, or the same type on another queue, is refused before decryption: neither was routed
                // there (issue 13, item 15); another id is refused by decryption (the id is bound into the ciphertext)
                assertThat(deadLetters(sqs, payments, 2)).extracting(a -> a.get("sourceflow.dlq.reason"))
                        .containsExactlyInAnyOrder("NotRoutedHere", "DecryptionFailed");
                List<Map<String, String>> movedQueue = deadLetters(sqs, refunds, 1);
                assertThat(movedQueue.get(0).get("sourceflow.dlq.reason")).isEqualTo("NotRoutedHere");
                assertThat(receiver.select(Received.class).entries()).isEmpty();
            }
        }
    }

    // ------------------------------------------------------------------ cost

    private static final int CACHED_MESSAGES = 1_000;
    private static final int UNCACHED_MESSAGES = 50;

    /** Sends {@code count} messages and waits until all are handled; returns the counters (client, KMS endpoint). */
    private static void sendAndReceive(MotoServer moto, ElasticMqServer elasticMq, int count, Map<String, String> extra,
                                       long[] kmsCalls) throws Exception {
        String key = createKey(moto);
        String payments = "payments-" + AwsTestConfig.unique();
        try (KmsProxy proxy = new KmsProxy(elasticMq.endpoint(), moto.endpoint())) {
            Map<String, String> config = config(proxy.endpoint(), key, payments, "refunds-" + AwsTestConfig.unique());
            config.put("sourceflow.aws.max-concurrent-messages", "40");
            config.putAll(extra);
            long start = System.nanoTime();
            try (CdiContainer service = start(config)) {
                CommandBus bus = service.select(CommandBus.class);
                List<CompletableFuture<Void>> sends = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    sends.add(bus.sendAsync(new Pay("p-" + i, "n", BigDecimal.ONE, i, CARD)).toCompletableFuture());
                }
                CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                service.select(Received.class).awaitCount(count, Duration.ofSeconds(60));
                assertThat(service.select(Received.class).entries()).hasSize(count);
                AwsRequestCounter counter = service.select(AwsRequestCounter.class);
                System.out.println("EncryptedTransportTest: " + count + " encrypted messages sent and handled (SQS on ElasticMQ, KMS on moto) in "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms; " + counter);
                kmsCalls[0] = counter.count("GenerateDataKey");
                kmsCalls[1] = counter.count("Decrypt");
            }
            kmsCalls[2] = proxy.kmsRequests("GenerateDataKey");
            kmsCalls[3] = proxy.kmsRequests("Decrypt");
        }
    }

    @Test
    void aThousandMessagesWithinCacheBoundsCostAtMostTwoKmsCallsEachWay(MotoServer moto, ElasticMqServer elasticMq) throws Exception {
        long[] calls = new long[4];
        sendAndReceive(moto, elasticMq, CACHED_MESSAGES, Map.of(), calls);
        // GenerateDataKey and Decrypt as the deployment's clients count them, then as they reached the KMS endpoint
        for (long n : calls) {
            assertThat(n).as(java.util.Arrays.toString(calls)).isBetween(1L, 2L);
        }
    }

    @Test
    void withCachingDisabledEveryMessageCostsOneKmsCallEachWay(MotoServer moto, ElasticMqServer elasticMq) throws Exception {
        long[] calls = new long[4];
        sendAndReceive(moto, elasticMq, UNCACHED_MESSAGES, Map.of("sourceflow.aws.encryption.data-key-max-messages", "1"), calls);
        assertThat(calls).containsExactly(UNCACHED_MESSAGES, UNCACHED_MESSAGES, UNCACHED_MESSAGES, UNCACHED_MESSAGES);
    }

    // ------------------------------------------------------------------ key switch and KMS outages

    @Test
    void afterAKeySwitchOldAndNewMessagesDecrypt(MotoServer moto) {
        String oldKey = createKey(moto);
        String newKey = createKey(moto);
        String payments = "payments-" + AwsTestConfig.unique();
        String refunds = "refunds-" + AwsTestConfig.unique();
        try (SqsClient sqs = AwsClients.of(moto).sqs()) {
            try (CdiContainer before = start(with(config(moto.endpoint(), oldKey, payments, refunds),
                    "sourceflow.aws.command-listener.enabled", "false"))) {
                for (int i = 0; i < 3; i++) {
                    before.select(CommandBus.class).send(pay("old-" + i));
                }
            }
            String url = url(sqs, payments);
            List<Message> waiting = peek(sqs, url, 3);
            assertThat(waiting).allSatisfy(m -> assertThat(json(m.body()).getJsonObject("data").getString("kid")).isEqualTo(oldKey));
            release(sqs, url, waiting);

            try (CdiContainer after = start(config(moto.endpoint(), newKey, payments, refunds))) {
                for (int i = 0; i < 3; i++) {
                    after.select(CommandBus.class).send(pay("new-" + i));
                }
                List<Received.Entry> handled = after.select(Received.class).awaitCount(6, WAIT);
                assertThat(handled).extracting(e -> ((Pay) e.message()).paymentId())
                        .containsExactlyInAnyOrder("old-0", "old-1", "old-2", "new-0", "new-1", "new-2");
                assertThat(after.select(AwsRequestCounter.class).count("Decrypt")).as("one data key per KMS key").isEqualTo(2);
            }
        }
    }

    @Test
    void whileKmsIsDownASendFailsAndNothingReachesTheQueue(MotoServer moto) {
        String key = createKey(moto);
        String payments = "payments-" + AwsTestConfig.unique();
        try (KmsProxy proxy = new KmsProxy(moto.endpoint());
             CdiContainer sender = start(with(config(proxy.endpoint(), key, payments, "refunds-" + AwsTestConfig.unique()),
                     "sourceflow.aws.command-listener.enabled", "false"));
             SqsClient sqs = AwsClients.of(moto).sqs()) {
            sender.select(CommandBus.class).send(new Refund("r-1")); // KMS works through the proxy
            proxy.kmsDown(true);
            assertThatThrownBy(() -> sender.select(CommandBus.class).send(pay("p-down")))
                    .isInstanceOf(EncryptionFailedException.class)
                    .satisfies(e -> assertThat(((EncryptionFailedException) e).isRetryable()).isTrue());
            assertThat(proxy.refusedKmsRequests()).isPositive();
            assertThat(sqs.receiveMessage(r -> r.queueUrl(url(sqs, payments)).waitTimeSeconds(1)).messages())
                    .as("nothing was sent, in plaintext or otherwise").isEmpty();

            proxy.kmsDown(false);
            sender.select(CommandBus.class).send(pay("p-up"));
            assertThat(peek(sqs, url(sqs, payments), 1).get(0).body()).contains(MessageEncryptor.ENCRYPTED_DATA_CONTENT_TYPE);
        }
    }

    @Test
    void whileKmsIsDownReceivedMessagesAreRetriedNotDeadLetteredAndHandledOnceItIsBack(MotoServer moto) throws Exception {
        String key = createKey(moto);
        String payments = "payments-" + AwsTestConfig.unique();
        String refunds = "refunds-" + AwsTestConfig.unique();
        try (CdiContainer sender = start(with(config(moto.endpoint(), key, payments, refunds),
                "sourceflow.aws.command-listener.enabled", "false"))) {
            for (int i = 0; i < 5; i++) {
                sender.select(CommandBus.class).send(pay("p-" + i));
            }
        }
        try (KmsProxy proxy = new KmsProxy(moto.endpoint());
             SqsClient sqs = AwsClients.of(moto).sqs()) {
            proxy.kmsDown(true);
            try (CdiContainer receiver = start(with(config(proxy.endpoint(), key, payments, refunds),
                    "sourceflow.aws.visibility-timeout", "1s", "sourceflow.aws.max-receive-count", "100"))) {
                // KMS refuses for at least two receive rounds (the SDK makes 3 attempts per Decrypt call)
                await().atMost(WAIT).until(() -> proxy.refusedKmsRequests() >= 6);
                assertThat(receiver.select(Received.class).entries()).isEmpty();
                assertThat(sqs.receiveMessage(r -> r.queueUrl(url(sqs, payments + "-dlq")).waitTimeSeconds(1)).messages())
                        .as("a KMS outage does not dead-letter").isEmpty();

                proxy.kmsDown(false);
                List<Received.Entry> handled = receiver.select(Received.class).awaitCount(5, WAIT);
                assertThat(handled).extracting(e -> ((Pay) e.message()).paymentId())
                        .containsExactlyInAnyOrder("p-0", "p-1", "p-2", "p-3", "p-4");
                assertThat(handled).anySatisfy(e -> assertThat(e.context().receiveCount()).isGreaterThan(1));
                assertThat(sqs.receiveMessage(r -> r.queueUrl(url(sqs, payments + "-dlq")).waitTimeSeconds(1)).messages()).isEmpty();
            }
        }
    }

    // ------------------------------------------------------------------ masking

    /** Collects everything logged under {@code io.sourceflow}: message, parameters and printed stack traces. */
    private static final class CapturedLog extends Handler implements AutoCloseable {
        private final Logger logger = Logger.getLogger("io.sourceflow");
        private final List<String> records = new CopyOnWriteArrayList<>();

        CapturedLog() {
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            StringBuilder text = new StringBuilder(record.getLevel() + " " + record.getLoggerName() + " " + record.getMessage());
            if (record.getParameters() != null) {
                for (Object parameter : record.getParameters()) {
                    text.append(' ').append(parameter);
                }
            }
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                text.append('\n').append(trace);
            }
            records.add(text.toString());
        }

        String all() {
            return String.join("\n", records);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }

    @Test
    void aSensitiveValueNeverAppearsInLogsOrDeadLetterAttributes(MotoServer moto) {
        String key = createKey(moto);
        String payments = "payments-" + AwsTestConfig.unique();
        String refunds = "refunds-" + AwsTestConfig.unique();
        try (CapturedLog log = new CapturedLog();
             SqsClient sqs = AwsClients.of(moto).sqs();
             CdiContainer service = start(with(config(moto.endpoint(), key, payments, refunds),
                     "sourceflow.aws.visibility-timeout", "1s", "sourceflow.aws.max-receive-count", "3"))) {
            CommandBus bus = service.select(CommandBus.class);
            bus.send(new Pay("p-fail", "fail: issuer down", BigDecimal.TEN, 1, CARD));
            bus.send(new Pay("p-reject", "reject: stolen", BigDecimal.TEN, 2, CARD));

            List<Map<String, String>> dead = deadLetters(sqs, payments, 1);
            assertThat(dead.get(0).get("sourceflow.dlq.reason")).isEqualTo("Rejected");
            assertThat(dead.get(0).get("sourceflow.dlq.error")).contains("RejectMessage", "****1111").doesNotContain(CARD);
            assertThat(dead.get(0).values()).noneMatch(value -> value.contains(CARD));

            await().atMost(WAIT).until(() -> log.all().contains("retrying in") && log.all().contains("Rejected"));
            String logged = log.all();
            assertThat(logged).contains("cannot charge card ****1111", "issuer refused ****1111",
                    "java.lang.IllegalStateException", "card ****1111 was declined");
            assertThat(logged).doesNotContain(CARD);
        }
    }
}
