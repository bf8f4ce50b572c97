package io.sourceflow.core;

import java.util.Optional;
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

        /**
         * Stores it in the caller's active transaction (the transactional outbox), when the transport has an outbox:
         * the returned action relays it after the commit. Empty when there is no outbox: it is then sent from memory
         * after the commit.
         *
         * @throws RuntimeException if it could not be stored; the caller's transaction should not commit
         */
        default Optional<Runnable> storeInTransaction() {
            return Optional.empty();
        }
    }
}
