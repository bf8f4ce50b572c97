package io.sourceflow.aws;

import io.sourceflow.aws.kms.EncryptionContext;
import io.sourceflow.aws.kms.EncryptionFailedException;
import io.sourceflow.aws.kms.MessageEncryptor;
import io.sourceflow.config.SourceFlowConfig;
import io.sourceflow.core.MessageDescriptor;
import io.sourceflow.wire.CloudEvent;
import io.sourceflow.wire.CloudEventCodec;
import io.sourceflow.wire.UndecodableMessageException;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.json.bind.Jsonb;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns a message into wire format 1 (a CloudEvents JSON body plus three message attributes) and back.
 * The Java type of an incoming message comes only from the deployment's allow-list of logical names.
 * With {@code sourceflow.aws.encryption.enabled=true} the {@code data} is an encrypted-data envelope
 * (wire format section 10) bound to the message id, logical type and destination short name.
 */
@Singleton
public final class MessageSerializer {

    private final Jsonb jsonb;
    private final CloudEventCodec codec;
    private final String source;
    private final DataEncryption encryption;
    private final AtomicLong sequence = new AtomicLong();

    @Inject
    MessageSerializer(SourceFlowConfig config, DataEncryption encryption) {
        this.encryption = encryption;
        this.jsonb = CloudEventCodec.defaultJsonb();
        this.codec = new CloudEventCodec(jsonb);
        this.source = "/sourceflow/" + config.serviceName().orElse("unnamed-service");
    }

    /**
     * Encodes a message for its routed destination; the size counts the body and attributes as SQS/SNS do.
     *
     * @throws EncryptionFailedException if encryption is enabled and KMS gives no data key (nothing may be sent)
     */
    public OutboundMessage encode(MessageDescriptor descriptor, Object message, Optional<String> groupId) {
        return encode(descriptor, message, groupId, null, null, null);
    }

    /**
     * Encodes a message with the W3C trace context of its producer span in the CloudEvents
     * {@code traceparent}/{@code tracestate} extensions (both may be {@code null}: not tracing), with the given id
     * ({@code null}: a new random one).
     */
    public OutboundMessage encode(MessageDescriptor descriptor, Object message, Optional<String> groupId,
                           String traceparent, String tracestate, String messageId) {
        String id = messageId != null ? messageId : UUID.randomUUID().toString();
        String data = codec.dataToJson(message);
        String contentType = CloudEvent.JSON_CONTENT_TYPE;
        if (encryption.enabled()) {
            String destination = ShortNames.of(descriptor.route().orElseThrow(() -> new IllegalStateException(
                    descriptor.logicalName() + " has no route: only routed messages are encoded")).destination());
            data = encryption.encrypt(data, new EncryptionContext(id, descriptor.logicalName(), destination));
            contentType = MessageEncryptor.ENCRYPTED_DATA_CONTENT_TYPE;
        }
        CloudEvent event = new CloudEvent(id, descriptor.logicalName(), source, Instant.now(),
                descriptor.entityKeyOf(message).orElse(null), contentType,
                sequence.incrementAndGet(), traceparent, tracestate, data);
        String body = codec.write(event);
        Map<String, String> attributes = Map.of(
                WireAttributes.TYPE, descriptor.logicalName(),
                WireAttributes.WIRE_VERSION, CloudEventCodec.WIRE_VERSION,
                WireAttributes.CONTENT_TYPE, event.dataContentType());
        return new OutboundMessage(id, descriptor.logicalName(), groupId, body, attributes,
                sizeOf(body, attributes), new CompletableFuture<>());
    }

    /** Reads the CloudEvent of a body (already unwrapped from any SNS envelope). */
    public CloudEvent read(String body) throws UndecodableMessageException {
        return codec.read(body);
    }

    /** Binds an event's data (plaintext JSON, already decrypted if it was encrypted) to the allow-listed type. */
    public Object data(String dataJson, Class<?> type) throws UndecodableMessageException {
        return codec.dataFromJson(dataJson, type);
    }

    public static int sizeOf(String body, Map<String, String> attributes) {
        int size = utf8Length(body);
        for (Map.Entry<String, String> attribute : attributes.entrySet()) {
            size += utf8Length(attribute.getKey()) + "String".length() + utf8Length(attribute.getValue());
        }
        return size;
    }

    /** UTF-8 length without encoding (the body can be large and this runs for every message). */
    static int utf8Length(CharSequence text) {
        int length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                length++;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                length += 4;
                i++;
            } else {
                length += 3;
            }
        }
        return length;
    }

    @PreDestroy
    void close() {
        try {
            jsonb.close();
        } catch (Exception ignored) {
            // nothing to do at shutdown
        }
    }
}
