package io.sourceflow.aws.inbound;

import io.sourceflow.spi.Claim;
import io.sourceflow.spi.IdempotencyStore;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Renews one idempotency claim's lease every third of a lease while its handlers run, on its own timer (independent of
 * the visibility heartbeat, so a slow database and a slow SQS do not hold each other up), until stopped, until the
 * store says the claim was lost, or until the cap (the heartbeat's: {@code max-visibility-extension}) is reached.
 */
final class ClaimRenewal {

    private static final System.Logger LOG = System.getLogger(ClaimRenewal.class.getName());

    private final IdempotencyStore store;
    private final Claim claim;
    private final Duration lease;
    private final long maxRenewNanos;
    private final Executor executor;
    private final long started = System.nanoTime();
    private final AtomicBoolean renewing = new AtomicBoolean();
    // volatile, not final: the first tick may run (and stop) before the constructor has assigned it
    private volatile ScheduledFuture<?> ticker;
    private volatile boolean stopped;

    /**
     * Starts renewing.
     *
     * @param maxRenewNanos how long after now renewals stop
     * @param clock         the clock the store's lease expiries are read against
     */
    ClaimRenewal(IdempotencyStore store, Claim claim, Duration lease, long maxRenewNanos, Clock clock,
                 ScheduledExecutorService scheduler, Executor executor) {
        this.store = store;
        this.claim = claim;
        this.lease = lease;
        this.maxRenewNanos = maxRenewNanos;
        this.executor = executor;
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(200), lease.toNanos() / 3);
        // the lease runs from before the claim's round trip: a slow claim (e.g. waiting on a concurrent insert of
        // the same key) leaves less of it, so the first renewal comes when two periods of it remain, or at once
        long remaining = Duration.between(clock.instant(), claim.leaseExpiry()).toNanos();
        long first = Math.max(0, Math.min(period, remaining - 2 * period));
        this.ticker = scheduler.scheduleWithFixedDelay(this::tick, first, period, TimeUnit.NANOSECONDS);
        if (stopped) {
            ticker.cancel(false);
        }
    }

    /** Stops renewing (the handlers are done, or the claim is gone). */
    void stop() {
        stopped = true;
        ScheduledFuture<?> scheduled = ticker;
        if (scheduled != null) {
            scheduled.cancel(false);
        }
    }

    private void tick() {
        if (stopped || !renewing.compareAndSet(false, true)) {
            return;
        }
        try {
            renewOrStop();
        } catch (Throwable e) { // an exception would cancel the scheduled task for good: log it, try at the next tick
            renewing.set(false);
            LOG.log(Level.WARNING, "Renewing the idempotency claim of message " + claim.messageId() + " failed", e);
        }
    }

    private void renewOrStop() {
        if (System.nanoTime() - started > maxRenewNanos) {
            LOG.log(Level.WARNING, "Handler of message " + claim.messageId() + " on " + claim.consumer() + " has run "
                    + "past sourceflow.aws.max-visibility-extension; its idempotency claim is no longer renewed and "
                    + "another instance may take it over");
            stop();
            renewing.set(false);
            return;
        }
        try {
            executor.execute(this::renew);
        } catch (RejectedExecutionException e) {
            renew();
        }
    }

    private void renew() {
        try {
            if (!stopped && !store.renew(claim, lease)) {
                LOG.log(Level.WARNING, "The idempotency claim of message " + claim.messageId() + " on " + claim.consumer()
                        + " was lost while its handler ran (taken over after its lease ended); its \"done\" mark will "
                        + "not be written. Raise sourceflow.aws.visibility-timeout if handlers are often this slow");
                stop();
            }
        } catch (Throwable e) { // whatever the store throws, the timer must keep its next tick
            LOG.log(Level.WARNING, "Could not renew the idempotency claim of message " + claim.messageId() + " on "
                    + claim.consumer() + " (" + e + "); retrying at the next renewal");
        } finally {
            renewing.set(false);
        }
    }
}
