package io.sourceflow.aws.kms;

import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.SecretKey;

/**
 * A plaintext data key with its wrapped form, and how often it has been used. Thread-safe.
 *
 * <p>The key is never wiped: it may be shared by threads that are encrypting or decrypting with it
 * at any moment, {@code SecretKeySpec} keeps its own copy of the bytes (and {@code Cipher} another),
 * so zeroing could only break an in-flight use without removing every copy. An evicted key becomes
 * garbage like any other object. The transient byte arrays KMS returns are zeroed once copied.
 */
final class DataKey {

    private final SecretKey key;
    private final String kid;
    private final byte[] edk;
    private final long createdMillis;
    private final AtomicLong uses = new AtomicLong();

    DataKey(SecretKey key, String kid, byte[] edk, long createdMillis) {
        this.key = key;
        this.kid = kid;
        this.edk = edk;
        this.createdMillis = createdMillis;
    }

    SecretKey key() {
        return key;
    }

    /** The ARN of the KMS key that wrapped this data key. */
    String kid() {
        return kid;
    }

    /** The wrapped key; callers must not modify it. */
    byte[] edk() {
        return edk;
    }

    /**
     * Counts one use if the key is still within its limits.
     *
     * @return false if the key is too old or has been used {@code limits.maxUses()} times
     */
    boolean tryUse(long nowMillis, CacheLimits limits) {
        if (nowMillis - createdMillis >= limits.maxAgeMillis()) {
            return false;
        }
        long n;
        do {
            n = uses.get();
            if (n >= limits.maxUses()) {
                return false;
            }
        } while (!uses.compareAndSet(n, n + 1));
        return true;
    }

    /** Counts the first use by the thread that obtained the key from KMS; always allowed. */
    DataKey firstUse() {
        uses.incrementAndGet();
        return this;
    }
}
