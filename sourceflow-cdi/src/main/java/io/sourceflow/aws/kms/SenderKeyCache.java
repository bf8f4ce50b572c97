package io.sourceflow.aws.kms;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sending side's data keys: one current key per destination (the KMS encryption context is per
 * destination), used until it is {@link CacheLimits#maxAgeMillis() too old} or has encrypted
 * {@link CacheLimits#maxUses() enough messages}; then one thread asks KMS for the next key while the
 * others for that destination wait for it. Thread-safe.
 *
 * <p>Holds one entry per destination this application sends to, a set bounded by its routing table.
 */
final class SenderKeyCache {

    private final KmsDataKeys kms;
    private final String keyId;
    private final Clock clock;
    private final CacheLimits limits;
    private final ConcurrentMap<String, Slot> slots = new ConcurrentHashMap<>();

    SenderKeyCache(KmsDataKeys kms, String keyId, Clock clock, CacheLimits limits) {
        this.kms = kms;
        this.keyId = keyId;
        this.clock = clock;
        this.limits = limits;
    }

    /**
     * @return a data key with one use counted for the caller
     * @throws EncryptionFailedException if KMS cannot generate a key
     */
    DataKey acquire(String destination) {
        Slot slot = slots.computeIfAbsent(destination, d -> new Slot());
        DataKey current = slot.current;
        if (current != null && current.tryUse(clock.millis(), limits)) {
            return current;
        }
        slot.lock.lock();
        try {
            current = slot.current;
            if (current != null && current.tryUse(clock.millis(), limits)) {
                return current; // another thread refreshed it while we waited
            }
            DataKey fresh = kms.generate(keyId, destination).firstUse();
            slot.current = fresh;
            return fresh;
        } finally {
            slot.lock.unlock();
        }
    }

    private static final class Slot {
        final ReentrantLock lock = new ReentrantLock();
        volatile DataKey current;
    }
}
