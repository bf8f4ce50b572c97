package io.sourceflow.aws.kms;

import java.time.Instant;
import io.sourceflow.testing.MutableClock;
import static io.sourceflow.aws.kms.KmsTestKit.cached;
import static io.sourceflow.aws.kms.KmsTestKit.context;
import static io.sourceflow.aws.kms.KmsTestKit.createKey;
import static io.sourceflow.aws.kms.KmsTestKit.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sourceflow.testing.AwsRequestCounter;
import io.sourceflow.testing.MotoExtension;
import io.sourceflow.testing.MotoServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.kms.KmsClient;

@ExtendWith(MotoExtension.class)
class MessageEncryptorTest {

    private static final String DATA = "{\"card\":\"4111111111111111\",\"customer\":\"Zoë Müller 😀 𝄞 日本\","
            + "\"lines\":[{\"price\":59.95,\"quantity\":2,\"sku\":\"SKU-1\"}],\"orderId\":\"order-42\","
            + "\"sequence\":9223372036854775807,\"total\":12345678901234567890.123456789}";

    private final AwsRequestCounter counter = new AwsRequestCounter();
    private final List<KmsClient> clients = new ArrayList<>();
    private KmsClient kms;
    private String keyArn;

    @BeforeEach
    void setUp(MotoServer moto) {
        kms = track(KmsTestKit.kms(moto, counter));
        keyArn = createKey(kms);
        counter.reset();
    }

    @AfterEach
    void tearDown() {
        clients.forEach(KmsClient::close);
    }

    private KmsClient track(KmsClient client) {
        clients.add(client);
        return client;
    }

    private MessageEncryptor encryptor(String keyId) {
        return new MessageEncryptor(kms, cached(keyId), Clock.systemUTC());
    }

    @Test
    void roundTripKeepsNonAsciiTextAndLargeNumbersExactly() throws Exception {
        MessageEncryptor encryptor = encryptor(keyArn);
        EncryptionContext context = context("orders.fifo");

        String envelope = encryptor.encrypt(DATA, context);

        assertThat(encryptor.decrypt(envelope, context)).isEqualTo(DATA);
        JsonObject json = parse(envelope);
        assertThat(json.getInt("v")).isEqualTo(1);
        assertThat(json.getString("alg")).isEqualTo("AES-256-GCM");
        assertThat(json.getString("kid")).isEqualTo(keyArn);
        assertThat(Base64.getDecoder().decode(json.getString("iv"))).hasSize(12);
        assertThat(Base64.getDecoder().decode(json.getString("ct")))
                .hasSize(DATA.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 16);
    }

    @Test
    void envelopeContainsNoPartOfThePlaintext() {
        String envelope = encryptor(keyArn).encrypt(DATA, context("orders.fifo"));
        JsonObject json = parse(envelope);
        String encrypted = json.getString("edk") + " " + json.getString("iv") + " " + json.getString("ct");

        // Every 4-character piece of the plaintext is absent from the encrypted members. Pieces made
        // only of Base64 characters are checked at 8 characters: 4 random Base64 characters would
        // match one of them somewhere about once in a thousand runs.
        for (int i = 0; i + 4 <= DATA.length(); i++) {
            String piece = DATA.substring(i, i + 4);
            if (piece.chars().allMatch(c -> c < 128 && Character.isLetterOrDigit(c) || c == '+' || c == '/')) {
                if (i + 8 <= DATA.length()) {
                    assertThat(encrypted).doesNotContain(DATA.substring(i, i + 8));
                }
            } else {
                assertThat(encrypted).doesNotContain(piece);
            }
        }
        // The whole envelope (its fixed member names and key ARN aside) shows no value of the data.
        for (String value : List.of("4111", "1111", "order-42", "Müller", "😀", "SKU-1", "59.95", "customer", "total",
                "9223372036854775807", "12345678901234567890")) {
            assertThat(envelope).doesNotContain(value);
        }
    }

    @Test
    void identicalMessagesEncryptDifferently() throws Exception {
        MessageEncryptor encryptor = encryptor(keyArn);
        EncryptionContext context = context("orders.fifo");

        String first = encryptor.encrypt(DATA, context);
        String second = encryptor.encrypt(DATA, context);

        assertThat(first).isNotEqualTo(second);
        assertThat(parse(first).getString("iv")).isNotEqualTo(parse(second).getString("iv"));
        assertThat(parse(first).getString("ct")).isNotEqualTo(parse(second).getString("ct"));
        assertThat(encryptor.decrypt(first, context)).isEqualTo(DATA);
        assertThat(encryptor.decrypt(second, context)).isEqualTo(DATA);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ct:first", "ct:middle", "ct:last-before-tag", "tag:first", "tag:last",
            "iv:first", "iv:last", "edk:first", "edk:middle", "edk:last"})
    void flippingOneByteFailsDecryption(String where) throws Exception {
        MessageEncryptor encryptor = encryptor(keyArn);
        EncryptionContext context = context("orders.fifo");
        String envelope = encryptor.encrypt(DATA, context);
        assertThat(encryptor.decrypt(envelope, context)).isEqualTo(DATA); // the original key is cached now

        String member = where.startsWith("tag") ? "ct" : where.substring(0, where.indexOf(':'));
        byte[] bytes = Base64.getDecoder().decode(parse(envelope).getString(member));
        int index = switch (where) {
            case "ct:first", "iv:first", "edk:first" -> 0;
            case "ct:middle", "edk:middle" -> (bytes.length - 16) / 2;
            case "ct:last-before-tag" -> bytes.length - 17;
            case "tag:first" -> bytes.length - 16;
            default -> bytes.length - 1;
        };
        bytes[index] ^= 0x01;
        String tampered = replace(envelope, member, Base64.getEncoder().encodeToString(bytes));

        assertThatThrownBy(() -> encryptor.decrypt(tampered, context)).isInstanceOf(DecryptionFailedException.class);
        assertThatThrownBy(() -> encryptor(keyArn).decrypt(tampered, context))
                .as("without a cached key either").isInstanceOf(DecryptionFailedException.class);
    }

    @Test
    void decryptingForAnotherMessageTypeOrDestinationFails() throws Exception {
        MessageEncryptor encryptor = encryptor(keyArn);
        EncryptionContext context = context("orders.fifo");
        String envelope = encryptor.encrypt(DATA, context);
        assertThat(encryptor.decrypt(envelope, context)).isEqualTo(DATA);

        for (EncryptionContext other : List.of(
                new EncryptionContext(UUID.randomUUID().toString(), context.messageType(), context.destination()),
                new EncryptionContext(context.messageId(), "orders.CancelOrder", context.destination()),
                new EncryptionContext(context.messageId(), context.messageType(), "payments.fifo"))) {
            assertThatThrownBy(() -> encryptor.decrypt(envelope, other))
                    .as(other.toString()).isInstanceOf(DecryptionFailedException.class);
            assertThatThrownBy(() -> encryptor(keyArn).decrypt(envelope, other))
                    .as("uncached " + other).isInstanceOf(DecryptionFailedException.class);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[]", "{\"v\":1", "{\"v\":2,\"alg\":\"AES-256-GCM\"}",
            "{\"v\":1,\"alg\":\"AES-128-CBC\",\"kid\":\"k\",\"edk\":\"AQ==\",\"iv\":\"AAAAAAAAAAAAAAAA\",\"ct\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}",
            "{\"v\":1,\"alg\":\"AES-256-GCM\",\"edk\":\"AQ==\",\"iv\":\"AAAAAAAAAAAAAAAA\",\"ct\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}",
            "{\"v\":1,\"alg\":\"AES-256-GCM\",\"kid\":\"k\",\"edk\":\"AQ==\",\"iv\":\"AAAA\",\"ct\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}",
            "{\"v\":1,\"alg\":\"AES-256-GCM\",\"kid\":\"k\",\"edk\":\"AQ==\",\"iv\":\"AAAAAAAAAAAAAAAA\",\"ct\":\"AAAA\"}",
            "{\"v\":1,\"alg\":\"AES-256-GCM\",\"kid\":\"k\",\"edk\":\"*\",\"iv\":\"AAAAAAAAAAAAAAAA\",\"ct\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}",
            "{\"v\":1,\"v\":1,\"alg\":\"AES-256-GCM\",\"kid\":\"k\",\"edk\":\"AQ==\",\"iv\":\"AAAAAAAAAAAAAAAA\",\"ct\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}",
            "{\"orderId\":\"order-42\"}"})
    void malformedEnvelopesFailWithoutCallingKms(String envelope) {
        assertThatThrownBy(() -> encryptor(keyArn).decrypt(envelope, context("orders.fifo")))
                .isInstanceOf(DecryptionFailedException.class)
                .hasMessageNotContaining("order-42");
        assertThat(counter.count("Decrypt")).isZero();
    }

    @Test
    void thousandMessagesWithinTheCacheBoundsCostOneDataKeyEach() throws Exception {
        MessageEncryptor sender = encryptor(keyArn);
        MessageEncryptor receiver = encryptor(null);
        List<EncryptionContext> contexts = new ArrayList<>();
        List<String> envelopes = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            EncryptionContext context = context("orders.fifo");
            contexts.add(context);
            envelopes.add(sender.encrypt(DATA, context));
        }
        for (int i = 0; i < 1_000; i++) {
            assertThat(receiver.decrypt(envelopes.get(i), contexts.get(i))).isEqualTo(DATA);
        }

        assertThat(counter.count("GenerateDataKey")).isBetween(1L, 2L);
        assertThat(counter.count("Decrypt")).isBetween(1L, 2L);
    }

    @ParameterizedTest(name = "maxAge={0}s, maxMessages={1}")
    @org.junit.jupiter.params.provider.CsvSource({"300, 1", "0, 10000"})
    void withCachingDisabledEveryMessageCostsOneCallOnEachSide(long maxAgeSeconds, long maxMessages) throws Exception {
        MessageEncryptor sender = new MessageEncryptor(kms,
                settings(keyArn, Duration.ofSeconds(maxAgeSeconds), maxMessages), Clock.systemUTC());
        MessageEncryptor receiver = new MessageEncryptor(kms,
                settings(null, Duration.ofSeconds(maxAgeSeconds), maxMessages), Clock.systemUTC());
        EncryptionContext[] contexts = new EncryptionContext[20];
        String[] envelopes = new String[20];
        for (int i = 0; i < 20; i++) {
            contexts[i] = context("orders.fifo");
            envelopes[i] = sender.encrypt(DATA, contexts[i]);
            assertThat(counter.count("GenerateDataKey")).isEqualTo(i + 1);
        }
        for (int i = 0; i < 20; i++) {
            assertThat(receiver.decrypt(envelopes[i], contexts[i])).isEqualTo(DATA);
            assertThat(counter.count("Decrypt")).isEqualTo(i + 1);
        }
        // the same message twice: still one Decrypt each
        receiver.decrypt(envelopes[0], contexts[0]);
        assertThat(counter.count("Decrypt")).isEqualTo(21);
    }

    @Test
    void messagesEncryptedBeforeAKeySwitchStillDecrypt() throws Exception {
        String aliasA = KmsTestKit.createKeyWithAlias(kms, "orders-a");
        EncryptionContext oldContext = context("orders.fifo");
        String oldEnvelope = encryptor(aliasA).encrypt(DATA, oldContext);
        String keyA = parse(oldEnvelope).getString("kid");
        assertThat(keyA).startsWith("arn:aws:kms:").doesNotContain("alias");

        String keyB = createKey(kms);
        MessageEncryptor configuredWithB = encryptor(keyB);
        EncryptionContext newContext = context("orders.fifo");
        String newEnvelope = configuredWithB.encrypt("{\"orderId\":\"order-43\"}", newContext);
        assertThat(parse(newEnvelope).getString("kid")).isEqualTo(keyB).isNotEqualTo(keyA);

        MessageEncryptor receiverWithB = encryptor(keyB);
        assertThat(receiverWithB.decrypt(oldEnvelope, oldContext)).isEqualTo(DATA);
        assertThat(receiverWithB.decrypt(newEnvelope, newContext)).isEqualTo("{\"orderId\":\"order-43\"}");
    }

    @Test
    void recordedKeyIdIsUsedForDecrypt() throws Exception {
        MessageEncryptor encryptor = encryptor(keyArn);
        EncryptionContext context = context("orders.fifo");
        String envelope = encryptor.encrypt(DATA, context);
        String otherKey = createKey(kms);

        String wrongKid = replace(envelope, "kid", otherKey);

        assertThatThrownBy(() -> encryptor(keyArn).decrypt(wrongKid, context))
                .isInstanceOf(DecryptionFailedException.class).hasMessageContaining(otherKey);
    }

    @Test
    void disabledKeyFailsDecryption() throws Exception {
        EncryptionContext context = context("orders.fifo");
        String envelope = encryptor(keyArn).encrypt(DATA, context);
        // moto 5.2 answers DisableKey with HTTP 500 when given the key ARN: pass the bare key id
        kms.disableKey(b -> b.keyId(keyArn.substring(keyArn.lastIndexOf('/') + 1)));

        MessageEncryptor receiver = encryptor(null);
        try {
            receiver.decrypt(envelope, context);
        } catch (DecryptionFailedException expected) {
            return;
        }
        // moto 5.2 accepts Decrypt and GenerateDataKey with a disabled key; the classification of
        // KMS's DisabledException is tested in KmsErrorClassificationTest.
        Assumptions.abort("moto does not refuse Decrypt with a disabled key (DisableKey is not enforced)");
    }

    @Test
    void unreachableKmsFailsTheSendAndLeavesReceivedMessagesForRetry() throws Exception {
        EncryptionContext context = context("orders.fifo");
        String envelope = encryptor(keyArn).encrypt(DATA, context);
        KmsClient down = track(KmsTestKit.unreachable());
        MessageEncryptor offline = new MessageEncryptor(down, cached(keyArn), Clock.systemUTC());

        assertThatThrownBy(() -> offline.encrypt(DATA, context))
                .isInstanceOf(EncryptionFailedException.class)
                .isInstanceOf(io.sourceflow.SourceFlowException.class)
                .hasMessageContaining(keyArn).hasMessageContaining("Nothing was sent")
                .satisfies(e -> assertThat(((EncryptionFailedException) e).isRetryable()).isTrue());
        assertThatThrownBy(() -> offline.decrypt(envelope, context)).isInstanceOf(KmsUnavailableException.class);
        // a failure is not cached: once KMS answers, the same message decrypts
        assertThat(encryptor(null).decrypt(envelope, context)).isEqualTo(DATA);
    }

    @Test
    void unknownKeyFailsTheSendAsNotRetryable() {
        assertThatThrownBy(() -> encryptor("alias/does-not-exist-" + UUID.randomUUID()).encrypt(DATA, context("orders.fifo")))
                .isInstanceOf(EncryptionFailedException.class)
                .hasMessageContaining("alias/does-not-exist-")
                .satisfies(e -> assertThat(((EncryptionFailedException) e).isRetryable()).isFalse());
    }

    @Test
    void missingKeyIdFailsTheSendWithTheConfigurationKey() {
        assertThatThrownBy(() -> encryptor(null).encrypt(DATA, context("orders.fifo")))
                .isInstanceOf(EncryptionFailedException.class)
                .hasMessageContaining("sourceflow.aws.encryption.kms-key-id");
    }

    @Test
    void cachedKeysExpireByAge() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-26T08:00:00Z"));
        MessageEncryptor sender = new MessageEncryptor(kms, cached(keyArn), clock);
        MessageEncryptor receiver = new MessageEncryptor(kms, cached(null), clock);
        EncryptionContext first = context("orders.fifo");
        EncryptionContext second = context("orders.fifo");
        String e1 = sender.encrypt(DATA, first);
        String e2 = sender.encrypt(DATA, second);
        receiver.decrypt(e1, first);
        receiver.decrypt(e2, second);
        assertThat(counter.count("GenerateDataKey")).isEqualTo(1);
        assertThat(counter.count("Decrypt")).isEqualTo(1);

        clock.advance(Duration.ofMinutes(5).minusMillis(1));
        sender.encrypt(DATA, context("orders.fifo"));
        receiver.decrypt(e1, first);
        assertThat(counter.count("GenerateDataKey")).isEqualTo(1);
        assertThat(counter.count("Decrypt")).isEqualTo(1);

        clock.advance(Duration.ofMillis(1));
        String e3 = sender.encrypt(DATA, second);
        receiver.decrypt(e1, first);
        assertThat(counter.count("GenerateDataKey")).isEqualTo(2);
        assertThat(counter.count("Decrypt")).isEqualTo(2);
        assertThat(parse(e3).getString("edk")).isNotEqualTo(parse(e1).getString("edk"));
    }

    @Test
    void dataKeysAreCachedPerDestination() throws Exception {
        MessageEncryptor sender = encryptor(keyArn);
        String toOrders = sender.encrypt(DATA, context("orders.fifo"));
        String toPayments = sender.encrypt(DATA, context("payments"));
        sender.encrypt(DATA, context("orders.fifo"));

        assertThat(counter.count("GenerateDataKey")).isEqualTo(2);
        assertThat(parse(toOrders).getString("edk")).isNotEqualTo(parse(toPayments).getString("edk"));
    }

    @Test
    void receiverCacheKeepsAtMostItsMaximumNumberOfKeys() throws Exception {
        MessageEncryptor sender = encryptor(keyArn);
        MessageEncryptor receiver = new MessageEncryptor(kms, cached(null), Clock.systemUTC(), 2);
        List<EncryptionContext> contexts = List.of(context("a"), context("b"), context("c"));
        List<String> envelopes = new ArrayList<>();
        for (EncryptionContext c : contexts) {
            envelopes.add(sender.encrypt(DATA, c));
        }
        for (int i = 0; i < 3; i++) {
            receiver.decrypt(envelopes.get(i), contexts.get(i));
        }
        receiver.decrypt(envelopes.get(2), contexts.get(2)); // still cached
        assertThat(counter.count("Decrypt")).isEqualTo(3);
        receiver.decrypt(envelopes.get(0), contexts.get(0)); // evicted as least recently used
        assertThat(counter.count("Decrypt")).isEqualTo(4);
    }

    @Test
    void concurrentRoundTripsShareDataKeys() throws Exception {
        assertConcurrentRoundTrips(10_000, 1, 1);
    }

    @Test
    void concurrentRoundTripsRotateDataKeysExactlyAtTheMessageLimit() throws Exception {
        // 1,600 messages, 50 per data key: exactly 32 keys on each side, however the threads interleave
        assertConcurrentRoundTrips(50, 32, 32);
    }

    private void assertConcurrentRoundTrips(long maxMessages, long generateCalls, long decryptCalls) throws Exception {
        MessageEncryptor sender = new MessageEncryptor(kms, settings(keyArn, Duration.ofMinutes(5), maxMessages), Clock.systemUTC());
        MessageEncryptor receiver = new MessageEncryptor(kms, settings(null, Duration.ofMinutes(5), maxMessages), Clock.systemUTC());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Set<String>>> tasks = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                tasks.add(() -> {
                    Set<String> ivs = new HashSet<>();
                    for (int i = 0; i < 200; i++) {
                        String data = "{\"orderId\":\"order-" + thread + "-" + i + "\",\"note\":\"😀\"}";
                        EncryptionContext context = context("orders.fifo");
                        String envelope = sender.encrypt(data, context);
                        ivs.add(parse(envelope).getString("iv"));
                        assertThat(receiver.decrypt(envelope, context)).isEqualTo(data);
                    }
                    return ivs;
                });
            }
            Set<String> allIvs = new HashSet<>();
            for (Future<Set<String>> result : pool.invokeAll(tasks, 2, TimeUnit.MINUTES)) {
                allIvs.addAll(result.get());
            }
            assertThat(allIvs).hasSize(1_600);
        } finally {
            pool.shutdownNow();
        }
        assertThat(counter.count("GenerateDataKey")).isEqualTo(generateCalls);
        assertThat(counter.count("Decrypt")).isEqualTo(decryptCalls);
    }

    @Test
    void rejectsCacheLimitsOutOfRange() {
        assertThatThrownBy(() -> new MessageEncryptor(kms, settings(keyArn, Duration.ofMinutes(1), 0), Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("data-key-max-messages");
        assertThatThrownBy(() -> new MessageEncryptor(kms, settings(keyArn, Duration.ofMinutes(1), (1L << 32) + 1), Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("data-key-max-messages");
        assertThatThrownBy(() -> new MessageEncryptor(kms, settings(keyArn, Duration.ofSeconds(-1), 10), Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("data-key-max-age");
    }

    static JsonObject parse(String json) {
        try (JsonReader reader = Json.createReader(new StringReader(json))) {
            return reader.readObject();
        }
    }

    static String replace(String envelope, String member, String value) {
        return Json.createObjectBuilder(parse(envelope)).add(member, value).build().toString();
    }
}
