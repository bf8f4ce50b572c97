package io.sourceflow.core;

import java.util.concurrent.CompletionStage;

/**
 * Sends routed messages out of the deployment (the AWS transport implements it) in two steps, so that a
 * message is checked and encoded at once (inside the caller's transaction, where a mistake can still roll
 * it back) but may leave only later (after the commit).
 */
public interface OutboundTransport {

    /**
     * Encodes and checks one message of a routed type (size, FIFO entity key); nothing is sent yet.
     *
     * @param messageId the id to send it with (derived, for what a handler sends), or {@code null} for a new one
     * @throws io.sourceflow.SourceFlowException if the message can never be sent; the message says why
     */
    Prepared prepare(MessageDescriptor descriptor, Object message, String messageId);

    /** A checked, encoded message ready to go. */
    interface Prepared {

        /** The message id it will carry. */
        String messageId();

        /** Sends it; the stage completes when the destination accepted it. */
        CompletionStage<Void> send();

        /** It will never be sent (its transaction rolled back). */
        default void discard() {
        }
    }
}
