package io.sourceflow.aws;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;


/**
 * Counts what the idempotency check did with received messages, per consuming queue and in total, since the
 * application started: duplicates acknowledged without running their handler (a "done" mark was found), and
 * messages left for later because another instance held their claim. Inject it to export the numbers (metrics,
 * health, logs); the counters only grow.
 */
@Singleton
public final class ProcessingStatistics {

    private final IdempotencyCounters counters;

    @Inject
    ProcessingStatistics(IdempotencyCounters counters) {
        this.counters = counters;
    }

    /** Duplicates deleted without running their handler, over all queues. */
    public long duplicatesSkipped() {
        return counters.duplicates(null);
    }

    /** Duplicates deleted without running their handler, for one consuming queue. */
    public long duplicatesSkipped(String queueName) {
        return counters.duplicates(java.util.Objects.requireNonNull(queueName, "queueName"));
    }

    /** Receives left alone because another instance held the message's claim, over all queues. */
    public long heldElsewhere() {
        return counters.heldElsewhere(null);
    }

    /** Receives left alone because another instance held the message's claim, for one consuming queue. */
    public long heldElsewhere(String queueName) {
        return counters.heldElsewhere(java.util.Objects.requireNonNull(queueName, "queueName"));
    }
}
