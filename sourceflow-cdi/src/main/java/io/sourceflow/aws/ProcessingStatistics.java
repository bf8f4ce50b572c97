package io.sourceflow.aws;

import jakarta.inject.Singleton;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what the idempotency check did with received messages, per consuming queue and in total, since the
 * application started: duplicates acknowledged without running their handler (a "done" mark was found), and
 * messages left for later because another instance held their claim. Inject it to export the numbers (metrics,
 * health, logs); the counters only grow.
 */
@Singleton
public final class ProcessingStatistics {

    private final Map<String, LongAdder> duplicates = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> heldElsewhere = new ConcurrentHashMap<>();

    ProcessingStatistics() {
    }

    /** Duplicates deleted without running their handler, over all queues. */
    public long duplicatesSkipped() {
        return sum(duplicates);
    }

    /** Duplicates deleted without running their handler, for one consuming queue. */
    public long duplicatesSkipped(String queueName) {
        LongAdder count = duplicates.get(queueName);
        return count == null ? 0 : count.sum();
    }

    /** Receives left alone because another instance held the message's claim, over all queues. */
    public long heldElsewhere() {
        return sum(heldElsewhere);
    }

    /** Receives left alone because another instance held the message's claim, for one consuming queue. */
    public long heldElsewhere(String queueName) {
        LongAdder count = heldElsewhere.get(queueName);
        return count == null ? 0 : count.sum();
    }

    void duplicate(String queueName) {
        duplicates.computeIfAbsent(queueName, q -> new LongAdder()).increment();
    }

    void held(String queueName) {
        heldElsewhere.computeIfAbsent(queueName, q -> new LongAdder()).increment();
    }

    private static long sum(Map<String, LongAdder> counts) {
        long total = 0;
        for (LongAdder count : counts.values()) {
            total += count.sum();
        }
        return total;
    }
}
