package io.sourceflow.aws.kms;

import java.util.Objects;

/**
 * What an encrypted message data is bound to. A ciphertext only decrypts with the same three values
 * it was encrypted with, so it cannot be moved onto another message, type or destination.
 *
 * @param messageId   the CloudEvent {@code id}
 * @param messageType the CloudEvent {@code type} (the logical type name)
 * @param destination the short name of the queue (commands) or topic (events) the message was sent
 *                    to, as the routing table names it (e.g. {@code orders.fifo}); sender and
 *                    receiver must use the same form, so never a URL or ARN
 */
public record EncryptionContext(String messageId, String messageType, String destination) {

    /** Checks that every value is present and not blank. */
    public EncryptionContext {
        requireNonBlank(messageId, "messageId");
        requireNonBlank(messageType, "messageType");
        requireNonBlank(destination, "destination");
    }

    private static void requireNonBlank(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
