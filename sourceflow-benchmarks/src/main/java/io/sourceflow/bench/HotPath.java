package io.sourceflow.bench;

import io.sourceflow.aws.kms.EncryptionContext;
import io.sourceflow.aws.kms.MessageEncryptor;
import io.sourceflow.config.EncryptionSettings;
import io.sourceflow.wire.CloudEvent;
import io.sourceflow.wire.CloudEventCodec;
import io.sourceflow.wire.SnsEnvelope;
import io.sourceflow.wire.UndecodableMessageException;
import jakarta.json.bind.Jsonb;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptRequest;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyRequest;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The per-message CPU work of SourceFlow's hot path, step for step as the library does it, built from the
 * library's public classes: encoding as {@code MessageSerializer.encode} (id, data JSON, optional AES-GCM
 * envelope encryption with a cached data key, CloudEvent, attributes, size) and decoding as
 * {@code InboundProcessor.process} (SNS-envelope check, CloudEvent parse, type look-up, optional decryption,
 * data binding). Used by the JMH benchmark and to size the 1 KB messages.
 */
public final class HotPath implements AutoCloseable {

    static final String TYPE = "BenchCommand";
    static final String DESTINATION = "bench-commands";
    private static final String SOURCE = "/sourceflow/bench";

    private final Jsonb jsonb = CloudEventCodec.defaultJsonb();
    private final CloudEventCodec codec = new CloudEventCodec(jsonb);
    private final SnsEnvelope envelope = new SnsEnvelope();
    private final Map<String, Class<?>> allowList = Map.of(TYPE, BenchBeans.BenchCommand.class);
    private final MessageEncryptor encryptor;
    private final AtomicLong sequence = new AtomicLong();

    /** @param encrypted whether data is encrypted (with a KMS stand-in: after the first message the data key is cached) */
    public HotPath(boolean encrypted) {
        this.encryptor = encrypted ? new MessageEncryptor(new FixedKeyKms(),
                new EncryptionSettings(true, Optional.of("alias/bench"), Duration.ofMinutes(5), 1L << 32), Clock.systemUTC())
                : null;
    }

    /** An encoded message: the SQS body and its message attributes. */
    public record Encoded(String body, Map<String, String> attributes, int size) {
    }

    public Encoded encode(Object message, String entityKey) {
        String id = UUID.randomUUID().toString();
        String data = codec.dataToJson(message);
        String contentType = CloudEvent.JSON_CONTENT_TYPE;
        if (encryptor != null) {
            data = encryptor.encrypt(data, new EncryptionContext(id, TYPE, DESTINATION));
            contentType = MessageEncryptor.ENCRYPTED_DATA_CONTENT_TYPE;
        }
        CloudEvent event = new CloudEvent(id, TYPE, SOURCE, Instant.now(), entityKey, contentType,
                sequence.incrementAndGet(), null, null, data);
        String body = codec.write(event);
        Map<String, String> attributes = Map.of("sourceflow.type", TYPE, "sourceflow.wire-version", CloudEventCodec.WIRE_VERSION,
                "sourceflow.content-type", event.dataContentType());
        int size = body.getBytes(StandardCharsets.UTF_8).length;
        for (Map.Entry<String, String> a : attributes.entrySet()) {
            size += a.getKey().length() + "String".length() + a.getValue().length();
        }
        return new Encoded(body, attributes, size);
    }

    public Object decode(String body) throws Exception {
        CloudEvent event = codec.read(envelope.unwrap(body).body());
        Class<?> type = allowList.get(event.type());
        if (type == null) {
            throw new UndecodableMessageException(UndecodableMessageException.Reason.UNKNOWN_TYPE, event.type());
        }
        String dataJson = event.dataJson();
        if (MessageEncryptor.ENCRYPTED_DATA_CONTENT_TYPE.equals(event.dataContentType())) {
            dataJson = encryptor.decrypt(dataJson, new EncryptionContext(event.id(), event.type(), DESTINATION));
        }
        return codec.dataFromJson(dataJson, type);
    }

    /** A sample command with a payload of {@code payloadChars} characters. */
    public static Object sampleCommand(int payloadChars) {
        return new BenchBeans.BenchCommand("entity-07", 123_456L, System.nanoTime(), "x".repeat(payloadChars));
    }

    /** A payload that makes the encoded plaintext body of a {@link BenchBeans.BenchCommand} {@code bytes} long. */
    static String payloadFor(int bytes) {
        return "x".repeat(payloadCharsFor(bytes));
    }

    /** The payload length that makes the encoded plaintext body {@code bytes} long. */
    static int payloadCharsFor(int bytes) {
        try (HotPath path = new HotPath(false)) {
            String payload = "";
            int size = path.encode(new BenchBeans.BenchCommand("entity-00", 1_000_000L, System.nanoTime(), payload), "entity-00")
                    .body().length();
            return Math.max(0, bytes - size);
        }
    }

    @Override
    public void close() {
        try {
            jsonb.close();
        } catch (Exception ignored) {
            // nothing to do
        }
    }

    /** KMS stand-in: one fixed data key, so the benchmark measures the cached-key path without a network. */
    static final class FixedKeyKms implements KmsClient {
        private static final byte[] KEY = new byte[32];
        private static final byte[] WRAPPED = "wrapped-data-key-for-benchmark".getBytes(StandardCharsets.UTF_8);

        @Override
        public GenerateDataKeyResponse generateDataKey(GenerateDataKeyRequest request) {
            return GenerateDataKeyResponse.builder().keyId("arn:aws:kms:us-east-1:000000000000:key/bench")
                    .plaintext(SdkBytes.fromByteArray(KEY.clone())).ciphertextBlob(SdkBytes.fromByteArray(WRAPPED)).build();
        }

        @Override
        public DecryptResponse decrypt(DecryptRequest request) {
            return DecryptResponse.builder().keyId("arn:aws:kms:us-east-1:000000000000:key/bench")
                    .plaintext(SdkBytes.fromByteArray(KEY.clone())).build();
        }

        @Override
        public String serviceName() {
            return "kms";
        }

        @Override
        public void close() {
        }
    }
}
