package io.sourceflow.aws.kms;

import io.sourceflow.SourceFlowException;

/**
 * Message data could not be encrypted, so the send fails: with encryption enabled nothing is ever
 * sent in plaintext. The message names the KMS key and the cause; {@link #isRetryable()} tells
 * whether trying again later may help (throttling, KMS outage) or the configuration must be fixed
 * (unknown, disabled or forbidden key).
 */
public final class EncryptionFailedException extends SourceFlowException {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    EncryptionFailedException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** @return whether the failure is transient (KMS throttling, outage or unreachable) */
    public boolean isRetryable() {
        return retryable;
    }
}
