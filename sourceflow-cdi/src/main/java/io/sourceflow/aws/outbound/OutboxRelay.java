package io.sourceflow.aws.outbound;

import io.sourceflow.aws.SendFailedException;
import io.sourceflow.config.OutboxSettings;
import io.sourceflow.spi.OutboxEntry;
import io.sourceflow.spi.OutboxRow;
import io.sourceflow.spi.OutboxStatus;
import io.sourceflow.spi.OutboxStore;
import io.sourceflow.telemetry.SourceFlowTelemetry;
import io.sourceflow.wire.WireText;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Relays the transactional outbox. A message sent inside a JTA transaction is stored in it, leased to this instance
 * ({@link #store}); after the commit it is sent at once from memory ({@link #relayCommitted}), and its row deleted
 * when SQS or SNS accepted it. Every {@code relay-interval} each instance also takes over rows whose lease ran out
 * (the instance that stored them crashed, or could not send them) and sends them from the row. A FIFO group's rows go
 * one at a time, in the order they were stored, and the first that fails holds the rest of its group. A row the
 * destination can never accept is parked with its error.
 */
final class OutboxRelay {

    private static final System.Logger LOG = System.getLogger(OutboxRelay.class.getName());
    static final int CLAIM_LIMIT = 100;

    private final OutboxStore store;
    private final OutboxSettings settings;
    private final Function<OutboxEntry, CompletableFuture<Void>> send;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final OutboxDeletes deletes;
    private final AtomicBoolean sweeping = new AtomicBoolean();
    /** FIFO groups (destination and group) whose message failed to leave after its commit: the relay sends the rest. */
    private final Set<String> heldGroups = ConcurrentHashMap.newKeySet();
    /** What the outbox held at the last sweep, for the gauges. */
    private volatile OutboxStatus latest = new OutboxStatus(0, Optional.empty(), 0);
    /** Whether anyone reads {@link #latest}: without a metrics implementation the sweep does not count rows. */
    private volatile boolean gauges;
    private ScheduledFuture<?> sweeper;

    /** @param send sends a stored message again; the stage completes when the destination accepted it */
    OutboxRelay(OutboxStore store, OutboxSettings settings, Function<OutboxEntry, CompletableFuture<Void>> send,
                Executor executor, ScheduledExecutorService scheduler, Duration deleteLinger) {
        this.store = store;
        this.settings = settings;
        this.send = send;
        this.executor = executor;
        this.scheduler = scheduler;
        this.deletes = new OutboxDeletes(store, executor, scheduler, deleteLinger);
    }

    /** Stores a message in the caller's transaction; returns its row id. */
    long store(OutboxEntry entry) {
        return store.append(entry, settings.lease());
    }

    /**
     * After the commit: sends the message of row {@code id} from memory; its row goes when it was accepted. A message
     * of a FIFO group whose earlier message this instance failed to send is not sent here: it stays in the outbox
     * for the relay, which sends the group's rows in order.
     *
     * @param send hands the message to its batcher; the stage completes when it was accepted
     */
    void relayCommitted(long id, OutboxEntry entry, Supplier<CompletableFuture<Void>> send) {
        Optional<String> group = groupKey(entry);
        if (group.isPresent() && heldGroups.contains(group.get())) {
            LOG.log(System.Logger.Level.DEBUG, () -> "Outbox row " + id + " waits for the relay: an earlier message of its "
                    + "FIFO group is still in the outbox");
            return;
        }
        send.get().whenComplete((ok, failure) -> {
            if (failure != null) {
                group.ifPresent(heldGroups::add);
            }
            settle(id, entry, failure);
        });
    }

    /** Destination and FIFO group, for a message of a FIFO destination. */
    private static Optional<String> groupKey(OutboxEntry entry) {
        return entry.groupId().map(group -> entry.destinationKind() + ":" + entry.destination() + "\n" + group);
    }

    synchronized void start() {
        if (sweeper == null) {
            long period = settings.relayInterval().toNanos();
            sweeper = scheduler.scheduleWithFixedDelay(() -> executeSweep(), period, period, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * At stop: no more sweeps, and a sweep in progress is waited for (up to {@code timeout}), so that it does not
     * meet a persistence unit that is closing.
     */
    synchronized void stop(Duration timeout) {
        if (sweeper != null) {
            sweeper.cancel(false);
            sweeper = null;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (sweeping.get() && deadline - System.nanoTime() > 0) {
                TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void sweepEnded() {
        sweeping.set(false);
        notifyAll();
    }

    /** At stop, after the batchers sent what they held: the rows accepted meanwhile are deleted now. */
    void flushDeletes() {
        deletes.flush();
    }

    private void executeSweep() {
        if (!sweeping.compareAndSet(false, true)) {
            return; // the previous sweep still runs
        }
        try {
            executor.execute(() -> {
                try {
                    sweep();
                } catch (Throwable e) { // a pool thread of ours: log, and the next tick tries again
                    LOG.log(System.Logger.Level.ERROR, "The outbox relay failed; it tries again in " + settings.relayInterval(), e);
                } finally {
                    sweepEnded();
                }
            });
        } catch (Throwable e) { // the executor is stopping
            sweepEnded();
        }
    }

    /** The gauges {@code sourceflow.aws.outbox.*}, from what the last sweep read. */
    void watch(SourceFlowTelemetry telemetry) {
        gauges = telemetry.enabled();
        telemetry.watchOutbox(() -> latest.pending(),
                () -> latest.oldestPending().map(oldest -> Math.max(0, Duration.between(oldest, Instant.now()).toMillis() / 1000.0))
                        .orElse(0.0),
                () -> latest.parked());
    }

    /** Takes over rows whose lease ran out and sends them; waits until each was settled. */
    void sweep() {
        if (gauges) {
            latest = store.status();
        }
        List<OutboxRow> rows = store.claimExpired(CLAIM_LIMIT, settings.lease());
        if (rows.isEmpty()) {
            return;
        }
        LOG.log(System.Logger.Level.INFO, "Relaying " + rows.size() + " message(s) from the outbox whose lease ran out");
        Map<String, List<OutboxRow>> chains = new LinkedHashMap<>();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (OutboxRow row : rows) {
            OutboxEntry entry = row.entry();
            Optional<String> group = groupKey(entry);
            if (group.isPresent()) {
                chains.computeIfAbsent(group.get(), k -> new ArrayList<>()).add(row);
            } else {
                done.add(relay(row));
            }
        }
        // a group whose rows all left is released to the after-commit path again; one that failed stays held
        chains.forEach((group, chain) -> done.add(relayInOrder(chain, 0).thenRun(() -> heldGroups.remove(group))));
        // each row was settled (deleted, parked or left for its lease) when its stage completed, whichever way
        CompletableFuture.allOf(done.stream().map(stage -> stage.handle((ok, failure) -> null))
                .toArray(CompletableFuture[]::new)).join();
    }

    /** Relays a FIFO group's rows one after the other; the first that fails holds the rest (they keep their lease). */
    private CompletableFuture<Void> relayInOrder(List<OutboxRow> chain, int index) {
        if (index >= chain.size()) {
            return CompletableFuture.completedFuture(null);
        }
        return relay(chain.get(index)).thenCompose(sent -> relayInOrder(chain, index + 1));
    }

    /** Sends one row; completes normally when it was accepted, exceptionally (already settled) when not. */
    private CompletableFuture<Void> relay(OutboxRow row) {
        CompletableFuture<Void> accepted;
        try {
            accepted = send.apply(row.entry());
        } catch (RuntimeException e) {
            accepted = CompletableFuture.failedFuture(e);
        }
        return accepted.whenComplete((ok, failure) -> settle(row.id(), row.entry(), failure));
    }

    private void settle(long id, OutboxEntry entry, Throwable failure) {
        try {
            if (failure == null) {
                deletes.add(id);
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            String what = entry.logicalType() + " " + WireText.escape(entry.messageId()) + " to " + entry.destinationKind() + " "
                    + entry.destination();
            if (cause instanceof SendFailedException sendFailed && sendFailed.isPermanent()) {
                store.park(id, Failures.describe(cause));
                LOG.log(System.Logger.Level.ERROR, "Outbox row " + id + " (" + what + ") can never be sent as it is and was "
                        + "parked with its error: " + Failures.describe(cause));
            } else {
                store.failed(List.of(id), Failures.describe(cause));
                LOG.log(System.Logger.Level.WARNING, "Outbox row " + id + " (" + what + ") could not be sent (" + Failures.describe(cause)
                        + "); it is sent again when its lease runs out, within " + settings.lease());
            }
        } catch (Throwable e) { // a store failure here only delays the row: its lease runs out and it is relayed again
            LOG.log(System.Logger.Level.WARNING, "Could not record the outcome of outbox row " + id + " (" + e.getMessage()
                    + "); it is relayed again when its lease runs out");
        }
    }
}
