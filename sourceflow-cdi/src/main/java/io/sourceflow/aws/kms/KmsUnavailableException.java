package io.sourceflow.aws.kms;

/**
 * KMS could not be asked to decrypt a data key right now (throttling, a KMS internal error, a
 * connection failure or timeout, expired credentials). Retrying later may succeed: the listener
 * leaves the message on the queue (with backoff) and does not dead-letter it.
 */
public final class KmsUnavailableException extends Exception {

    private static final long serialVersionUID = 1L;

    KmsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
