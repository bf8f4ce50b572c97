package io.sourceflow.aws;

import jakarta.inject.Singleton;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind {@link ProcessingStatistics}: the listener's idempotency guard counts into them, applications
 * read them through {@link ProcessingStatistics}. Internal to SourceFlow.
 */
@Singleton
public final class IdempotencyCounters {

    private final Map<String, LongAdder> duplicates = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> heldElsewhere = new ConcurrentHashMap<>();

    IdempotencyCounters() {
    }

    /** Counts a duplicate deleted without running its handler. */
    public void duplicate(String queueName) {
        duplicates.computeIfAbsent(queueName, q -> new LongAdder()).increment();
    }

    /** Counts a receive left alone because another instance held the message's claim. */
    public void held(String queueName) {
        heldElsewhere.computeIfAbsent(queueName, q -> new LongAdder()).increment();
    }

    long duplicates(String queueNameOrAll) {
        return count(duplicates, queueNameOrAll);
    }

    long heldElsewhere(String queueNameOrAll) {
        return count(heldElsewhere, queueNameOrAll);
    }

    private static long count(Map<String, LongAdder> counts, String queueNameOrAll) {
        if (queueNameOrAll != null) {
            LongAdder count = counts.get(queueNameOrAll);
            return count == null ? 0 : count.sum();
        }
        long total = 0;
        for (LongAdder count : counts.values()) {
            total += count.sum();
        }
        return total;
    }
}
