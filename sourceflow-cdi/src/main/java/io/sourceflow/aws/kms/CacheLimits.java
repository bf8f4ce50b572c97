package io.sourceflow.aws.kms;

import java.time.Duration;

/**
 * How long and how often one data key is used, on the sending and on the receiving side.
 *
 * @param maxAgeMillis a key is not used once this old; 0 disables caching
 * @param maxUses      a key encrypts (or decrypts) at most this many messages; 1 disables caching
 */
record CacheLimits(long maxAgeMillis, long maxUses) {

    /**
     * AES-GCM with random 96-bit nonces: NIST SP 800-38D allows at most 2^32 messages per key. We
     * stay far below; at 2^32 messages the chance of a nonce collision is about 2^-33.
     */
    static final long MAX_USES_LIMIT = 1L << 32;

    static CacheLimits of(Duration maxAge, long maxMessages) {
        if (maxAge == null || maxAge.isNegative()) {
            throw new IllegalArgumentException("sourceflow.aws.encryption.data-key-max-age must be zero or positive, was "
                    + maxAge + " (0 disables data-key caching)");
        }
        if (maxMessages < 1 || maxMessages > MAX_USES_LIMIT) {
            throw new IllegalArgumentException("sourceflow.aws.encryption.data-key-max-messages must be between 1 and "
                    + MAX_USES_LIMIT + " (the AES-GCM limit for random nonces), was " + maxMessages
                    + " (1 disables data-key caching)");
        }
        long millis;
        try {
            millis = maxAge.toMillis();
        } catch (ArithmeticException tooLong) {
            millis = Long.MAX_VALUE;
        }
        return new CacheLimits(millis, maxMessages);
    }
}
