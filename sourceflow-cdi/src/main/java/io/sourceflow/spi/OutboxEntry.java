package io.sourceflow.spi;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One message in the transactional outbox: the final wire message (encoded, and encrypted when encryption is on) and
 * where it goes, so that relaying it needs nothing but the transport.
 *
 * @param destinationKind {@code queue} (a command) or {@code topic} (an event)
 * @param destination     the queue or topic as routed: short name, queue URL or topic ARN
 * @param groupId         the FIFO message group, empty for standard destinations
 * @param messageId       the CloudEvents id, also the FIFO deduplication id
 * @param logicalType     the logical type (for errors and logs)
 * @param body            the message body as it goes on the wire
 * @param attributes      the string message attributes as they go on the wire
 */
public record OutboxEntry(String destinationKind, String destination, Optional<String> groupId, String messageId,
                          String logicalType, String body, Map<String, String> attributes) {

    /** Destination kind of a command. */
    public static final String QUEUE = "queue";
    /** Destination kind of an event. */
    public static final String TOPIC = "topic";

    public OutboxEntry {
        Objects.requireNonNull(destinationKind, "destinationKind");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(logicalType, "logicalType");
        Objects.requireNonNull(body, "body");
        attributes = Map.copyOf(attributes);
        if (!QUEUE.equals(destinationKind) && !TOPIC.equals(destinationKind)) {
            throw new IllegalArgumentException("destinationKind must be '" + QUEUE + "' or '" + TOPIC + "', was '"
                    + destinationKind + "'");
        }
    }
}
