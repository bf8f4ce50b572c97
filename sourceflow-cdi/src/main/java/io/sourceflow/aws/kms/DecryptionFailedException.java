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

    DecryptionFailedException(String message) {
        super(message);
    }

    DecryptionFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
