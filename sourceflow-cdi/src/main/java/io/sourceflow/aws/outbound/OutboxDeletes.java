package io.sourceflow.aws.outbound;

import io.sourceflow.spi.OutboxStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Deletes relayed outbox rows in batches: one statement for the rows accepted within a short linger (or 100 rows),
 * so the outbox costs one insert and a share of one delete per message. A delete that fails is only a delay: the
 * row's lease runs out and the relay sends it again, which the receivers' idempotency recognises (same message id).
 */
final class OutboxDeletes {

    private static final System.Logger LOG = System.getLogger(OutboxDeletes.class.getName());
    static final int MAX_BATCH = 100;

    private final OutboxStore store;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final long lingerNanos;
    private final List<Long> pending = new ArrayList<>();
    private boolean scheduled;

    OutboxDeletes(OutboxStore store, Executor executor, ScheduledExecutorService scheduler, Duration linger) {
        this.store = store;
        this.executor = executor;
        this.scheduler = scheduler;
        this.lingerNanos = linger.toNanos();
    }

    void add(long id) {
        boolean full;
        synchronized (this) {
            pending.add(id);
            full = pending.size() >= MAX_BATCH;
            if (!full && !scheduled) {
                scheduled = true;
                try {
                    // the timer only hands over: a delete is a database transaction, and the timer thread is shared
                    // by every linger, heartbeat and claim renewal
                    scheduler.schedule(this::flushOnPool, lingerNanos, TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) { // stopping: the flush at stop deletes it
                    scheduled = false;
                }
            }
        }
        if (full) {
            flushOnPool();
        }
    }

    private void flushOnPool() {
        try {
            executor.execute(() -> run(this::flush));
        } catch (RejectedExecutionException e) { // stopping: delete now rather than wait for the lease
            run(this::flush);
        }
    }

    /** Deletes what is pending, on the calling thread. */
    void flush() {
        List<Long> batch;
        synchronized (this) {
            scheduled = false;
            if (pending.isEmpty()) {
                return;
            }
            batch = List.copyOf(pending);
            pending.clear();
        }
        try {
            store.delete(batch);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Could not delete " + batch.size() + " relayed outbox row(s) (" + e.getMessage()
                    + "); they are sent again when their lease runs out, and their receivers recognise them");
        }
    }

    private static void run(Runnable work) {
        try {
            work.run();
        } catch (Throwable e) { // a timer or pool thread of ours: nothing may escape
            LOG.log(System.Logger.Level.ERROR, "Deleting relayed outbox rows failed", e);
        }
    }
}
