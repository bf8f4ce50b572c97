package io.sourceflow.aws.kms;

/**
 * Encrypted message data that can never be decrypted, however often it is retried: a malformed or
 * unsupported envelope, a failed authentication (tampered ciphertext, nonce, tag or data key, or a
 * message id, type or destination other than the one it was encrypted for), or a KMS key that
 * refuses (wrong, disabled, pending deletion, not permitted). The listener sends the message to the
 * dead-letter queue at once with the reason {@value #DEAD_LETTER_REASON}.
 *
 * <p>Messages never contain key material or plaintext.
 */
public final class DecryptionFailedException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The reason written to the dead-letter queue's message attributes. */
    public static final String DEAD_LETTER_REASON = "DecryptionFailed";

    /**
     * The message arrived on a queue that receives no destination its type can have been sent to, so
     * there is nothing its encrypted data could be authenticated against.
     *
     * @param messageType the logical type of the message
     * @param queueName   the queue it was received from
     * @return the exception to dead-letter the message with
     */
    public static DecryptionFailedException noDestination(String messageType, String queueName) {
        return new DecryptionFailedException("encrypted data of type " + messageType + " arrived on queue " + queueName
                + ", which is subscribed to no topic that lets this type through, so its destination is unknown and it"
                + " cannot be authenticated; if the message belongs here, add its topic to sourceflow.subscribe.topics"
                + " or route the type to a subscribed topic");
    }

    DecryptionFailedException(String message) {
        super(message);
    }

    DecryptionFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
