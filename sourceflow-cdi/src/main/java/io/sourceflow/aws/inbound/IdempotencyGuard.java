package io.sourceflow.aws.inbound;

import io.sourceflow.aws.IdempotencyCounters;
import io.sourceflow.aws.SourceFlowExecutors;
import io.sourceflow.config.IdempotencySettings;
import io.sourceflow.config.SourceFlowConfig;
import io.sourceflow.core.Completions;
import io.sourceflow.idempotency.InMemoryIdempotencyStore;
import io.sourceflow.spi.Claim;
import io.sourceflow.spi.IdempotencyStore;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Makes the listener idempotent: every received message is claimed in the {@link IdempotencyStore} under
 * (queue name as polled, CloudEvents id) before its handlers run.
 * <ul>
 * <li><b>Claimed</b>: the handlers run; on success the claim is completed ("done", kept for
 * {@code sourceflow.idempotency.ttl}) and the message deleted; on failure or {@link io.sourceflow.RejectMessage}
 * the claim is released, so a retry or a redriven copy can run again.</li>
 * <li><b>Already done</b>: a duplicate; it is deleted without running the handlers and counted in
 * {@link io.sourceflow.aws.ProcessingStatistics}.</li>
 * <li><b>Held elsewhere</b>: another instance runs it now; it is neither run nor deleted, and becomes visible again
 * when that claim's lease ends (at most one visibility timeout later). SQS counts each such receive towards the
 * queue's {@code max-receive-count}, see the module README.</li>
 * </ul>
 *
 * <p><b>Lease.</b> A claim lasts one visibility timeout ({@code sourceflow.aws.visibility-timeout}), the time after
 * which SQS would hand the message to someone else anyway. While the handlers run, this guard renews it on its own
 * timer every third of a lease (independent of the visibility heartbeat, so a slow database and a slow SQS do not
 * hold each other up), up to the same cap as the heartbeat ({@code sourceflow.aws.max-visibility-extension}). After
 * a crash the lease runs out within one visibility timeout, and the redelivered message is taken over.
 *
 * <p><b>Transactions.</b> When the store {@linkplain IdempotencyStore#joinsTransactions() joins JTA transactions}
 * (the JPA store on a JTA persistence unit) and the message has one synchronous handler, the handler and the
 * "done" mark run in one transaction begun by the store ({@code @Transactional(REQUIRES_NEW)} in a server): a
 * handler's {@code @Transactional(REQUIRED)} work joins it, and a failure rolls both back. Events and commands the
 * handler raised leave after the commit (and are dropped on rollback), through the transport's commit gate; the
 * listener does not wait for them inside the transaction. Asynchronous handlers (returning a
 * {@code CompletionStage}) and events with several handlers run outside it (each handler in its own transactions);
 * their "done" mark is written in a transaction of its own after they all completed.
 *
 * <p><b>Store.</b> A CDI bean of type {@link IdempotencyStore} if the application or {@code sourceflow-jpa-idempotency}
 * provides one, else an {@link InMemoryIdempotencyStore} bounded by {@code sourceflow.idempotency.max-entries}.
 */
@Singleton
public final class IdempotencyGuard {

    private static final System.Logger LOG = System.getLogger(IdempotencyGuard.class.getName());

    private final IdempotencyStore store;
    private final IdempotencyCounters statistics;
    private final io.sourceflow.telemetry.SourceFlowTelemetry telemetry;
    private final Instance<SourceFlowExecutors> executors;
    /** Resolved on the first claim, not per message (a CDI lookup was a visible share of the hot path's profile). */
    private volatile SourceFlowExecutors threads;
    private final Duration lease;
    /** Queues whose own visibility timeout is shorter than the configured one: their claims last only that long. */
    private final Map<String, Duration> leaseByQueue = new ConcurrentHashMap<>();
    private final Duration ttl;
    private final long maxRenewNanos;

    @Inject
    IdempotencyGuard(Instance<IdempotencyStore> stores, SourceFlowConfig config, IdempotencyCounters statistics,
                     io.sourceflow.telemetry.SourceFlowTelemetry telemetry, Instance<SourceFlowExecutors> executors) {
        this.store = select(stores, config.idempotency());
        this.statistics = statistics;
        this.telemetry = telemetry;
        this.executors = executors;
        this.lease = config.aws().visibilityTimeout();
        this.ttl = config.idempotency().ttl();
        this.maxRenewNanos = config.aws().maxVisibilityExtension().plus(lease).toNanos();
    }

    private static IdempotencyStore select(Instance<IdempotencyStore> stores, IdempotencySettings settings) {
        if (stores.isAmbiguous()) {
            StringBuilder beans = new StringBuilder();
            stores.handles().forEach(h -> beans.append(beans.isEmpty() ? "" : ", ").append(h.getBean().getBeanClass().getName()));
            throw new IllegalStateException("There are several IdempotencyStore beans (" + beans + "); keep one, or mark "
                    + "the one SourceFlow must use @Alternative @Priority(...)");
        }
        if (stores.isResolvable()) {
            IdempotencyStore chosen = stores.get();
            LOG.log(Level.DEBUG, () -> "Idempotency store: the application's " + chosen.getClass().getName());
            return chosen;
        }
        if (IdempotencySettings.STORE_JPA.equals(settings.store())) {
            throw new IllegalStateException("sourceflow.idempotency.store=jpa but there is no IdempotencyStore bean: add the "
                    + "io.sourceflow:sourceflow-jpa-idempotency jar to the application, or remove the key to use the "
                    + "in-memory store");
        }
        LOG.log(Level.DEBUG, () -> "Idempotency store: in memory, at most " + settings.maxEntries() + " entries");
        return new InMemoryIdempotencyStore(settings.maxEntries());
    }

    /** Times the claims of one queue from its own visibility timeout (the listener found it shorter than configured). */
    void lease(String queueName, Duration visibilityTimeout) {
        if (!visibilityTimeout.equals(lease)) {
            leaseByQueue.put(queueName, visibilityTimeout);
        }
    }

    /** The store in use. */
    IdempotencyStore store() {
        return store;
    }

    /**
     * Claims the message, and if this instance got it, runs {@code handling} (which maps the handlers' result to an
     * outcome and never fails) and completes or releases the claim by its outcome. The stage never fails.
     *
     * @param oneSynchronousHandler whether the message has exactly one handler, and it is synchronous (allows
     *                              running it in the store's transaction)
     */
    CompletionStage<InboundOutcome> process(String queueName, String messageId, String logicalType, boolean oneSynchronousHandler,
                                            Supplier<CompletionStage<InboundOutcome>> handling) {
        Duration lease = leaseByQueue.isEmpty() ? this.lease : leaseByQueue.getOrDefault(queueName, this.lease);
        Claim claim;
        try {
            claim = store.claim(queueName, messageId, lease);
        } catch (Throwable e) { // a store may throw anything, checked exceptions included: the message is retried
            return CompletableFuture.completedFuture(InboundOutcome.retry(messageId, new IllegalStateException(
                    "The idempotency store could not claim message " + messageId + " of " + queueName + " (" + e
                    + "); the message was not handled and will be retried. Check the store's database.", e)));
        }
        switch (claim.outcome()) {
            case ALREADY_DONE -> {
                statistics.duplicate(queueName);
                telemetry.duplicate(queueName, logicalType);
                LOG.log(Level.DEBUG, () -> "Message " + messageId + " of " + queueName + " was already handled: deleting the duplicate");
                return CompletableFuture.completedFuture(InboundOutcome.duplicate(messageId));
            }
            case HELD_ELSEWHERE -> {
                statistics.held(queueName);
                Duration wait = heldDelay(claim.leaseExpiry(), lease);
                LOG.log(Level.DEBUG, () -> "Message " + messageId + " of " + queueName + " is being handled by another "
                        + "instance: looking again in " + wait.toSeconds() + " s");
                return CompletableFuture.completedFuture(InboundOutcome.heldElsewhere(messageId, wait));
            }
            case CLAIMED -> {
                // handled below
            }
        }
        if (Duration.between(Instant.now(), claim.leaseExpiry()).toNanos() < lease.toNanos() / 3 * 2) {
            // the claim's round trip took a third of its lease or more (a loaded machine, a slow database): another
            // instance may take the message over before the renewal timer's first turn, so the lease is renewed here,
            // before the handler starts, and without it the handler does not run (found with two CPU hogs: both
            // instances ran the handler)
            boolean renewed;
            try {
                renewed = store.renew(claim, lease);
            } catch (Throwable e) {
                release(claim);
                return CompletableFuture.completedFuture(InboundOutcome.retry(messageId, e));
            }
            if (!renewed) {
                statistics.held(queueName);
                LOG.log(Level.DEBUG, () -> "The claim of message " + messageId + " of " + queueName + " came back with its "
                        + "lease spent and was taken over: another instance handles it");
                return CompletableFuture.completedFuture(InboundOutcome.heldElsewhere(messageId, heldDelay(null, lease)));
            }
        }
        ClaimRenewal renewal;
        try {
            SourceFlowExecutors threads = threads();
            renewal = new ClaimRenewal(store, claim, lease, maxRenewNanos, Clock.systemUTC(), threads.scheduler(), threads.executor());
        } catch (Throwable e) { // the timer refuses while the application stops: give the claim back at once
            release(claim);
            return CompletableFuture.completedFuture(InboundOutcome.retry(messageId, e));
        }
        try {
            if (oneSynchronousHandler && store.joinsTransactions()) {
                try {
                    return inTransaction(claim, handling);
                } finally {
                    renewal.stop();
                }
            }
            return handleOutsideTransaction(queueName, messageId, claim, renewal, handling.get());
        } catch (Throwable e) {
            renewal.stop();
            release(claim);
            return CompletableFuture.completedFuture(InboundOutcome.retry(messageId, e));
        }
    }

    private SourceFlowExecutors threads() {
        SourceFlowExecutors resolved = threads;
        if (resolved == null) {
            resolved = executors.get();
            threads = resolved;
        }
        return resolved;
    }

    /** The handlers ran outside a store transaction: the "done" mark is written after they all completed. */
    private CompletionStage<InboundOutcome> handleOutsideTransaction(String queueName, String messageId, Claim claim,
                                                                     ClaimRenewal renewal, CompletionStage<InboundOutcome> handled) {
        return handled.handle((outcome, unexpected) -> {
            renewal.stop();
            InboundOutcome result = unexpected != null ? InboundOutcome.retry(messageId, Completions.unwrap(unexpected)) : outcome;
            if (result.disposition() == InboundOutcome.Disposition.HANDLED) {
                try {
                    store.complete(claim, ttl);
                } catch (Throwable e) {
                    LOG.log(Level.WARNING, "Message " + messageId + " of " + queueName + " was handled but its \"done\" "
                            + "mark could not be written; it is deleted, and a duplicate arriving later would run again. "
                            + "Check the idempotency store.", e);
                    release(claim);
                }
            } else {
                release(claim);
            }
            return result;
        });
    }

    /**
     * The handler and the "done" mark in one store transaction; rolled back, and the claim released, on failure. The
     * handler runs on this thread; if its stage is not complete when it returns, the handler succeeded and what remains
     * is the publication of the messages it raised, which the transport holds until the commit: the mark is written and
     * the transaction committed without waiting for them, and the returned stage follows their publication.
     */
    private CompletionStage<InboundOutcome> inTransaction(Claim claim, Supplier<CompletionStage<InboundOutcome>> handling) {
        List<CompletableFuture<InboundOutcome>> afterCommit = new ArrayList<>(1);
        InboundOutcome outcome;
        try {
            outcome = store.inTransaction(() -> {
                CompletableFuture<InboundOutcome> stage = handling.get().toCompletableFuture();
                if (!stage.isDone()) {
                    store.complete(claim, ttl);
                    afterCommit.add(stage);
                    return null;
                }
                InboundOutcome handled = stage.isCompletedExceptionally()
                        ? InboundOutcome.retry(claim.messageId(), stage.handle((v, e) -> Completions.unwrap(e)).join())
                        : stage.join();
                if (handled.disposition() != InboundOutcome.Disposition.HANDLED) {
                    throw new RollBack(handled);
                }
                store.complete(claim, ttl);
                return handled;
            });
        } catch (Throwable e) { // a failed JTA commit surfaces as a checked RollbackException, thrown sneakily
            release(claim);
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof RollBack rollBack) {
                    return CompletableFuture.completedFuture(rollBack.outcome);
                }
            }
            return CompletableFuture.completedFuture(InboundOutcome.retry(claim.messageId(), new IllegalStateException(
                    "The transaction of message " + claim.messageId() + " of " + claim.consumer() + " (handler and "
                    + "idempotency mark) did not commit (" + e + "); it was rolled back and the message will be retried", e)));
        }
        if (afterCommit.isEmpty()) {
            return CompletableFuture.completedFuture(outcome);
        }
        // committed: a failed publication is reported by the transport; a retry of this message is now a duplicate
        return afterCommit.get(0).handle((published, unexpected) ->
                unexpected != null ? InboundOutcome.retry(claim.messageId(), Completions.unwrap(unexpected)) : published);
    }

    private void release(Claim claim) {
        try {
            store.release(claim);
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "Could not release the idempotency claim of message " + claim.messageId() + " of "
                    + claim.consumer() + "; its retry waits until the claim's lease ends (" + claim.leaseExpiry() + ")", e);
        }
    }

    /** Until the other owner's lease ends, but at least 1 s and at most one lease (then we look again). */
    private static Duration heldDelay(Instant otherLeaseExpiry, Duration lease) {
        if (otherLeaseExpiry == null) {
            return lease;
        }
        long millis = Duration.between(Instant.now(), otherLeaseExpiry).toMillis();
        long seconds = Math.max(1, (millis + 999) / 1000);
        return Duration.ofSeconds(Math.min(seconds, Math.max(1, lease.toSeconds())));
    }

    /** Carries a failed or rejected outcome out of the store's transaction, rolling it back. */
    private static final class RollBack extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient InboundOutcome outcome;

        RollBack(InboundOutcome outcome) {
            super("handler did not succeed: rolling back", null, false, false);
            this.outcome = outcome;
        }
    }
}
