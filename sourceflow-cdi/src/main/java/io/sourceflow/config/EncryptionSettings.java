package io.sourceflow.config;

import java.time.Duration;
import java.util.Optional;

/**
 * KMS envelope encryption of message data ({@code sourceflow.aws.encryption.*}).
 *
 * @param enabled whether message data is encrypted (then nothing is ever sent in plaintext)
 * @param kmsKeyId the KMS key id, ARN or alias that wraps data keys; required when enabled
 * @param dataKeyMaxAge how long one data key is reused
 * @param dataKeyMaxMessages how many messages one data key encrypts at most
 * @param required whether received messages must be encrypted (plaintext data is dead-lettered)
 */
public record EncryptionSettings(boolean enabled, Optional<String> kmsKeyId, Duration dataKeyMaxAge,
                                 long dataKeyMaxMessages, boolean required) {

    /** Settings that do not require received messages to be encrypted. */
    public EncryptionSettings(boolean enabled, Optional<String> kmsKeyId, Duration dataKeyMaxAge, long dataKeyMaxMessages) {
        this(enabled, kmsKeyId, dataKeyMaxAge, dataKeyMaxMessages, false);
    }
}
