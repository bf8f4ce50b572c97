package io.sourceflow.aws.kms;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The receiving side's plaintext data keys, found by what KMS would be asked: the wrapped key, the
 * KMS key recorded in the envelope and the destination (the KMS encryption context). Each entry is
 * bounded by age and use count like the sender's keys; at most {@code maxEntries} entries are kept,
 * the least recently used going first. Concurrent misses for one wrapped key make one KMS call; the
 * other threads wait for its result. Thread-safe.
 */
final class ReceiverKeyCache {

    private final KmsDataKeys kms;
    private final Clock clock;
    private final CacheLimits limits;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Key, CompletableFuture<DataKey>> entries;

    ReceiverKeyCache(KmsDataKeys kms, Clock clock, CacheLimits limits, int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, was " + maxEntries);
        }
        this.kms = kms;
        this.clock = clock;
        this.limits = limits;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, CompletableFuture<DataKey>> eldest) {
                return size() > maxEntries; // an evicted in-flight call still completes for its waiters
            }
        };
    }

    /** @return the plaintext data key with one use counted for the caller */
    DataKey acquire(String kid, byte[] edk, String destination) throws DecryptionFailedException, KmsUnavailableException {
        Key key = new Key(kid, ByteBuffer.wrap(edk.clone()), destination);
        while (true) {
            CompletableFuture<DataKey> future;
            boolean mine = false;
            lock.lock();
            try {
                future = entries.get(key);
                if (future != null && future.isDone() && !future.isCompletedExceptionally()) {
                    DataKey cached = future.join();
                    if (cached.tryUse(clock.millis(), limits)) {
                        return cached;
                    }
                    entries.remove(key); // expired or used up: ask KMS again
                    future = null;
                }
                if (future == null) {
                    future = new CompletableFuture<>();
                    entries.put(key, future);
                    mine = true;
                }
            } finally {
                lock.unlock();
            }
            if (mine) {
                return load(key, future, edk);
            }
            DataKey shared = await(future);
            if (shared.tryUse(clock.millis(), limits)) {
                return shared;
            }
            // used up by the threads that waited with us: loop and load the next one
        }
    }

    private DataKey load(Key key, CompletableFuture<DataKey> future, byte[] edk)
            throws DecryptionFailedException, KmsUnavailableException {
        DataKey loaded;
        try {
            loaded = kms.decrypt(key.kid(), edk, key.destination()).firstUse();
        } catch (DecryptionFailedException | KmsUnavailableException | RuntimeException e) {
            lock.lock();
            try {
                entries.remove(key, future); // failures are not cached: the next message asks KMS again
            } finally {
                lock.unlock();
            }
            future.completeExceptionally(e);
            throw e;
        }
        future.complete(loaded);
        return loaded;
    }

    private static DataKey await(CompletableFuture<DataKey> future) throws DecryptionFailedException, KmsUnavailableException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KmsUnavailableException("interrupted while waiting for KMS to decrypt a data key", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof DecryptionFailedException failed) {
                throw new DecryptionFailedException(failed.getMessage(), failed);
            }
            if (cause instanceof KmsUnavailableException unavailable) {
                throw new KmsUnavailableException(unavailable.getMessage(), unavailable);
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** Number of cached entries (including calls in flight); for tests. */
    int size() {
        lock.lock();
        try {
            return entries.size();
        } finally {
            lock.unlock();
        }
    }

    private record Key(String kid, ByteBuffer edk, String destination) {
    }
}
