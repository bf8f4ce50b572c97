package io.sourceflow.idempotency.jpa;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Deletes expired rows of {@code sourceflow_processed_message} (done records past their TTL, claims past their
 * lease) in bounded batches, one short transaction per batch.
 *
 * <p>Safe with several instances cleaning at once: a batch selects up to {@code batchSize} expired keys in primary-key
 * order (no locks), then deletes them one by one by primary key, again in that order and only while still expired.
 * Concurrent cleaners therefore take row locks in the same order (no deadlock cycle), a row another cleaner deleted
 * first counts zero, and a row renewed or taken over meanwhile is kept. A batch that still loses a lock conflict is
 * skipped and retried on the next run.
 */
public final class IdempotencyCleanup implements AutoCloseable {

    /** Default rows per transaction. */
    public static final int DEFAULT_BATCH_SIZE = 500;

    private static final System.Logger LOG = System.getLogger(IdempotencyCleanup.class.getName());

    private final TransactionRunner tx;
    private final Clock clock;
    private final int batchSize;
    private final Object scheduleLock = new Object();
    private ScheduledFuture<?> scheduled;

    /**
     * @param tx        how to reach the persistence unit that maps {@link ProcessedMessage}
     * @param clock     the time source deciding what is expired
     * @param batchSize rows per transaction (1-10,000)
     */
    public IdempotencyCleanup(TransactionRunner tx, Clock clock, int batchSize) {
        this.tx = Objects.requireNonNull(tx, "tx");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (batchSize < 1 || batchSize > 10_000) {
            throw new IllegalArgumentException("batchSize must be between 1 and 10000, was " + batchSize);
        }
        this.batchSize = batchSize;
    }

    /**
     * Deletes every row expired now, batch by batch, until a batch comes back short.
     *
     * @return the number of rows this call deleted
     */
    public int runOnce() {
        Instant now = clock.instant();
        int total = 0;
        while (true) {
            List<ProcessedMessageId> keys = tx.inNewTransaction(em -> em.createQuery("""
                            select new io.sourceflow.idempotency.jpa.ProcessedMessageId(p.consumer, p.messageId)
                              from ProcessedMessage p
                             where p.expiresAt < :now
                             order by p.consumer, p.messageId""", ProcessedMessageId.class)
                    .setParameter("now", ProcessedMessage.utc(now))
                    .setMaxResults(batchSize)
                    .getResultList());
            if (keys.isEmpty()) {
                return total;
            }
            try {
                total += deleteBatch(keys, now);
            } catch (RuntimeException e) {
                if (!SqlErrors.isTransientLockError(e)) {
                    throw e;
                }
                LOG.log(Level.DEBUG, () -> "Idempotency cleanup batch lost a lock conflict (another instance is "
                        + "cleaning); stopping this run: " + e);
                return total;
            }
            if (keys.size() < batchSize) {
                return total;
            }
        }
    }

    private int deleteBatch(List<ProcessedMessageId> keys, Instant now) {
        return tx.inNewTransaction(em -> {
            int deleted = 0;
            var delete = em.createQuery("""
                    delete from ProcessedMessage p
                     where p.consumer = :consumer and p.messageId = :messageId and p.expiresAt < :now""");
            for (ProcessedMessageId key : keys) {
                deleted += delete.setParameter("consumer", key.getConsumer())
                        .setParameter("messageId", key.getMessageId())
                        .setParameter("now", ProcessedMessage.utc(now))
                        .executeUpdate();
            }
            return deleted;
        });
    }

    /**
     * Runs {@link #runOnce()} every {@code interval} on {@code executor} (in a server, one on a
     * {@code ManagedThreadFactory} thread), starting after a random part of one interval so that instances started
     * together do not clean in lock-step. Failures are logged and the schedule goes on.
     *
     * @throws IllegalStateException if already started
     */
    public void start(ScheduledExecutorService executor, Duration interval) {
        Objects.requireNonNull(executor, "executor");
        long millis = interval.toMillis();
        if (millis < 1) {
            throw new IllegalArgumentException("interval must be at least 1 ms, was " + interval);
        }
        synchronized (scheduleLock) {
            if (scheduled != null) {
                throw new IllegalStateException("cleanup is already scheduled");
            }
            long initialDelay = java.util.concurrent.ThreadLocalRandom.current().nextLong(millis) + 1;
            scheduled = executor.scheduleWithFixedDelay(this::runLogged, initialDelay, millis, TimeUnit.MILLISECONDS);
        }
    }

    private void runLogged() {
        try {
            int deleted = runOnce();
            if (deleted > 0) {
                LOG.log(Level.DEBUG, () -> "Idempotency cleanup deleted " + deleted + " expired rows");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Idempotency cleanup failed; it runs again at the next interval. Check that "
                    + "sourceflow_processed_message exists and the data source is reachable.", e);
        }
    }

    /** Stops the schedule (a running batch finishes). */
    @Override
    public void close() {
        synchronized (scheduleLock) {
            if (scheduled != null) {
                scheduled.cancel(false);
                scheduled = null;
            }
        }
    }
}
