package io.sourceflow.idempotency.jpa;

import io.sourceflow.spi.Claim;
import io.sourceflow.spi.ClaimOutcome;
import io.sourceflow.spi.IdempotencyStore;
import jakarta.persistence.EntityManager;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link IdempotencyStore} in a relational database through JPA, shared by every instance of a service.
 *
 * <ul>
 * <li>{@link #claim}: one short transaction of its own. An absent row is INSERTed; a primary-key violation
 * (recognised by SQLState and vendor code, never by message text) means another caller was first, and the claim
 * looks again. A done row within its TTL is a duplicate; a live lease of another owner is held elsewhere; an expired
 * lease or an expired done row is taken over by a conditional UPDATE that succeeds for one caller only.</li>
 * <li>{@link #complete}: an UPDATE to DONE, guarded by the owner, in the caller's JTA transaction when there is one,
 * so the mark commits or rolls back with the handler's database work. If the claim was lost (taken over, or removed
 * by cleanup after its lease expired) nothing is written and, inside a caller's transaction, that transaction is
 * marked rollback-only: the handler's work must not commit a second time beside the new owner's.</li>
 * <li>{@link #release}: a DELETE of the claimed row, guarded by the owner, in its own transaction.</li>
 * <li>{@link #renew}: an UPDATE of the lease, guarded by the owner, in its own transaction.</li>
 * </ul>
 *
 * <p>Times come from the {@link Clock} of each instance: keep the instances' clocks in sync (NTP); a skew eats into
 * the lease. All statements are JPQL and portable between PostgreSQL, MariaDB/MySQL and other databases.
 */
public final class JpaIdempotencyStore implements IdempotencyStore {

    private static final System.Logger LOG = System.getLogger(JpaIdempotencyStore.class.getName());
    private static final int MAX_ATTEMPTS = 5;

    private final TransactionRunner tx;
    private final Clock clock;
    private final String ownerPrefix = UUID.randomUUID() + ":";
    private final AtomicLong attempts = new AtomicLong();
    /** Set while {@link #inTransaction} runs on a thread: whether a {@link #complete} in it found its claim lost. */
    private final ThreadLocal<AtomicBoolean> claimLostInTransaction = new ThreadLocal<>();

    /**
     * @param tx    how to reach the persistence unit that maps {@link ProcessedMessage}
     * @param clock the time source for leases and TTLs
     */
    public JpaIdempotencyStore(TransactionRunner tx, Clock clock) {
        this.tx = Objects.requireNonNull(tx, "tx");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Claim claim(String consumer, String messageId, Duration lease) {
        requireKey(consumer, messageId);
        requirePositive(lease, "lease");
        // A row can change between our read and our write (claimed, released, cleaned up by someone else); the write
        // then fails or updates nothing, and the whole short transaction is tried again on fresh state.
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Instant now = clock.instant();
            String owner = ownerPrefix + attempts.incrementAndGet();
            Instant expiry = now.plus(lease);
            Claim answer;
            try {
                answer = tx.inNewTransaction(em -> claimOnce(em, consumer, messageId, owner, expiry, now));
            } catch (RuntimeException e) {
                if (SqlErrors.isUniqueViolation(e)) {
                    continue; // another caller inserted it first: read what it is now
                }
                throw e;
            }
            if (answer != null) {
                return answer;
            }
        }
        throw new IllegalStateException("Could not claim " + consumer + "/" + messageId + " in " + MAX_ATTEMPTS
                + " attempts: its row kept changing. This points to clocks far apart between instances or a lease "
                + "shorter than a database round trip; check NTP and the lease length.");
    }

    /**
     * One attempt, in one short transaction. The INSERT (through the primary key) and the conditional UPDATE decide;
     * the read before them only picks which to try, so that duplicates do not cost a failed INSERT.
     *
     * @return the answer, or {@code null} to try again
     */
    private Claim claimOnce(EntityManager em, String consumer, String messageId, String owner, Instant expiry,
                            Instant now) {
        ProcessedMessage row = em.find(ProcessedMessage.class, new ProcessedMessageId(consumer, messageId));
        if (row == null) {
            em.persist(new ProcessedMessage(consumer, messageId, owner, expiry));
            em.flush(); // a primary-key violation surfaces here and ends this attempt
            return new Claim(consumer, messageId, ClaimOutcome.CLAIMED, owner, expiry);
        }
        if (row.getStatus() == ProcessedMessage.Status.DONE && row.getExpiresAt().isAfter(now)) {
            return new Claim(consumer, messageId, ClaimOutcome.ALREADY_DONE, null, null);
        }
        if (row.getStatus() == ProcessedMessage.Status.CLAIMED && row.getLeaseExpiry().isAfter(now)) {
            return new Claim(consumer, messageId, ClaimOutcome.HELD_ELSEWHERE, null, row.getLeaseExpiry());
        }
        em.detach(row);
        int updated = em.createQuery("""
                        update ProcessedMessage p
                           set p.status = :claimed, p.owner = :owner, p.leaseExpiry = :expiry,
                               p.expiresAt = :expiry, p.processedAt = null
                         where p.consumer = :consumer and p.messageId = :messageId
                           and ((p.status = :claimed and p.leaseExpiry < :now)
                             or (p.status = :done and p.expiresAt < :now))""")
                .setParameter("claimed", ProcessedMessage.Status.CLAIMED)
                .setParameter("done", ProcessedMessage.Status.DONE)
                .setParameter("owner", owner)
                .setParameter("expiry", ProcessedMessage.utc(expiry))
                .setParameter("consumer", consumer)
                .setParameter("messageId", messageId)
                .setParameter("now", ProcessedMessage.utc(now))
                .executeUpdate();
        return updated == 1 ? new Claim(consumer, messageId, ClaimOutcome.CLAIMED, owner, expiry) : null;
    }

    @Override
    public void complete(Claim claim, Duration ttl) {
        requirePositive(ttl, "ttl");
        if (!claim.claimed()) {
            return;
        }
        try {
            tx.inCallerTransaction(em -> {
                Instant now = clock.instant();
                int updated = em.createQuery("""
                                update ProcessedMessage p
                                   set p.status = :done, p.processedAt = :now, p.expiresAt = :expires, p.leaseExpiry = null
                                 where p.consumer = :consumer and p.messageId = :messageId
                                   and p.owner = :owner and p.status = :claimed""")
                        .setParameter("done", ProcessedMessage.Status.DONE)
                        .setParameter("claimed", ProcessedMessage.Status.CLAIMED)
                        .setParameter("now", ProcessedMessage.utc(now))
                        .setParameter("expires", ProcessedMessage.utc(now.plus(ttl)))
                        .setParameter("consumer", claim.consumer())
                        .setParameter("messageId", claim.messageId())
                        .setParameter("owner", claim.owner())
                        .executeUpdate();
                if (updated == 0) {
                    throw new ClaimLostException();
                }
                return null;
            });
        } catch (ClaimLostException e) {
            AtomicBoolean inTransaction = claimLostInTransaction.get();
            if (inTransaction != null) {
                inTransaction.set(true);
            }
            LOG.log(Level.WARNING, () -> "Claim on " + claim.consumer() + "/" + claim.messageId()
                    + " was lost (its lease expired and another instance took it over, or cleanup removed it): not "
                    + "marked done, and the surrounding JTA transaction, if any, was marked rollback-only. Raise the lease or renew "
                    + "it while slow handlers run.");
        }
    }

    @Override
    public void release(Claim claim) {
        if (claim == null || !claim.claimed()) {
            return;
        }
        try {
            tx.inNewTransaction(em -> em.createQuery("""
                            delete from ProcessedMessage p
                             where p.consumer = :consumer and p.messageId = :messageId
                               and p.owner = :owner and p.status = :claimed""")
                    .setParameter("consumer", claim.consumer())
                    .setParameter("messageId", claim.messageId())
                    .setParameter("owner", claim.owner())
                    .setParameter("claimed", ProcessedMessage.Status.CLAIMED)
                    .executeUpdate());
        } catch (RuntimeException e) {
            // The lease expires on its own, so a failed release only delays the retry.
            LOG.log(Level.WARNING, "Could not release the claim on " + claim.consumer() + "/" + claim.messageId()
                    + "; a retry can take it over when its lease ends at " + claim.leaseExpiry(), e);
        }
    }

    @Override
    public boolean renew(Claim claim, Duration lease) {
        requirePositive(lease, "lease");
        if (!claim.claimed()) {
            return false;
        }
        Instant expiry = clock.instant().plus(lease);
        int updated = tx.inNewTransaction(em -> em.createQuery("""
                        update ProcessedMessage p
                           set p.leaseExpiry = :expiry, p.expiresAt = :expiry
                         where p.consumer = :consumer and p.messageId = :messageId
                           and p.owner = :owner and p.status = :claimed""")
                .setParameter("expiry", ProcessedMessage.utc(expiry))
                .setParameter("consumer", claim.consumer())
                .setParameter("messageId", claim.messageId())
                .setParameter("owner", claim.owner())
                .setParameter("claimed", ProcessedMessage.Status.CLAIMED)
                .executeUpdate());
        return updated == 1;
    }

    /** {@code true} when the persistence unit is JTA: {@link #complete} then joins the caller's transaction. */
    @Override
    public boolean joinsTransactions() {
        return tx.joinsCallerTransactions();
    }

    /**
     * Runs {@code work} in a new transaction of the runner ({@code @Transactional(REQUIRES_NEW)} in a server). If a
     * {@link #complete} inside it found the claim lost, the transaction is rolled back and this throws, so that the
     * caller does not take the rolled-back work for done.
     *
     * @throws IllegalStateException if the claim completed inside {@code work} had been lost
     */
    @Override
    public <T> T inTransaction(java.util.function.Supplier<T> work) {
        AtomicBoolean lost = new AtomicBoolean();
        AtomicBoolean outer = claimLostInTransaction.get();
        claimLostInTransaction.set(lost);
        try {
            return tx.inNewTransaction(em -> {
                T result = work.get();
                if (lost.get()) {
                    throw new IllegalStateException("The idempotency claim was lost while the handler ran (its lease "
                            + "ended and another instance took it over): the handler's transaction was rolled back");
                }
                return result;
            });
        } finally {
            if (outer == null) {
                claimLostInTransaction.remove();
            } else {
                claimLostInTransaction.set(outer);
            }
        }
    }

    private static void requireKey(String consumer, String messageId) {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(messageId, "messageId");
        if (consumer.length() > 255) {
            throw new IllegalArgumentException("consumer is longer than 255 characters (the column's length): " + consumer);
        }
        if (messageId.length() > 128) {
            throw new IllegalArgumentException("message id is longer than 128 characters (the column's length); "
                    + "CloudEvents ids from SourceFlow are UUIDs: " + messageId);
        }
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    /** Thrown inside the caller's transaction so that the runner marks it rollback-only; never leaves the store. */
    private static final class ClaimLostException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClaimLostException() {
            super("idempotency claim lost", null, false, false);
        }
    }
}
