package io.sourceflow;

import java.time.Instant;
import java.util.Optional;

/**
 * What a handler may know about the delivery of the message it handles. Declare it as the second
 * parameter of a {@link Handles} method.
 */
public interface MessageContext {

    /** The message id: the same across producer retries and redeliveries (the CloudEvents {@code id}). */
    String messageId();

    /** The logical type name of the message (see {@link MessageType}). */
    String messageType();

    /** The entity key ({@link EntityKey}) as a string, if the type has one. */
    Optional<String> entityKey();

    /** How many times this message has been received, 1 on the first delivery. */
    int receiveCount();

    /**
     * Where the message came from: the queue it was received from, or {@code "in-process"} for a
     * message delivered inside this deployment.
     */
    String destination();

    /** When the sender sent the message. */
    Instant sentAt();
}
