package io.sourceflow.spi;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * The transactional outbox's storage: a message sent inside a JTA transaction is stored in that transaction (so it
 * commits or rolls back with the caller's work), relayed after the commit, and deleted once SQS or SNS accepted it.
 * Rows carry a lease: the instance that stored a row relays it at once, and whoever finds its lease run out (the
 * instance crashed, or the destination was unreachable) relays it later. {@code sourceflow-jpa-idempotency} implements
 * it next to its idempotency table; SourceFlow uses a CDI bean of this type when {@code sourceflow.outbox.enabled=true}.
 *
 * <p>Every method but {@link #append} runs in a transaction of its own. Implementations must be thread-safe.
 */
public interface OutboxStore {

    /**
     * Stores a message in the caller's active transaction, leased to this instance for {@code lease}.
     *
     * @return the row's id
     * @throws IllegalStateException if there is no active transaction to join
     */
    long append(OutboxEntry entry, Duration lease);

    /**
     * Leases up to {@code limit} of this application's rows whose lease has run out (oldest first, parked rows
     * excluded) to the caller for {@code lease}; rows leased by another caller meanwhile are not returned.
     */
    List<OutboxRow> claimExpired(int limit, Duration lease);

    /** Deletes relayed rows. */
    void delete(Collection<Long> ids);

    /**
     * Records a relay that failed for now (counts the attempt, keeps the error): the rows keep their lease and are
     * relayed again when it runs out.
     */
    void failed(Collection<Long> ids, String error);

    /** Parks a row that can never be sent as it is (no such queue, message too large): kept with its error, not relayed. */
    void park(long id, String error);

    /** This application's rows, counted for metrics and health. */
    OutboxStatus status();
}
