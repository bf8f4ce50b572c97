package io.sourceflow.aws.outbound;

import io.sourceflow.aws.OutboundMessage;
import io.sourceflow.aws.SendFailedException;
import io.sourceflow.aws.ServiceLimits;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Collects the messages for one destination into batches of up to 10 (and the service's batch byte limit): a batch
 * leaves when it is full, when the first message in it has waited the linger time, or when a send to the same
 * destination returns while messages wait (they have waited a round trip already). Up to four batches are in flight;
 * on a FIFO destination a batch carries one message per group and a group's next message waits for the one before
 * ({@link FifoPendingSends}). An entry the service rejected retryably (throttled, a fault on its side) is sent again,
 * ahead of the rest of its group, after 0.4, 0.8 and 1.6 s; what still fails then fails its sender's future.
 */
final class OutboundBatcher {

    private static final System.Logger LOG = System.getLogger(OutboundBatcher.class.getName());
    private static final int MAX_IN_FLIGHT = 4;
    static final long[] RETRY_DELAYS_MILLIS = {400, 800, 1_600};

    private final BatchSender sender;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final long lingerNanos;
    private final PendingSends pending;
    /** Entry retries so far, of the messages that were rejected retryably at least once. */
    private final Map<OutboundMessage, Integer> retries = new IdentityHashMap<>();
    /** Messages waiting out their retry delay (in no batch and not pending). */
    private final Map<OutboundMessage, Boolean> awaitingRetry = new IdentityHashMap<>();
    private boolean flushScheduled;
    private boolean stopping;
    private int inFlight;

    OutboundBatcher(BatchSender sender, Executor executor, ScheduledExecutorService scheduler, Duration linger, boolean fifo) {
        this.sender = sender;
        this.executor = executor;
        this.scheduler = scheduler;
        this.lingerNanos = linger.toNanos();
        this.pending = fifo ? new FifoPendingSends() : new StandardPendingSends();
    }

    void submit(OutboundMessage message) {
        synchronized (this) {
            pending.add(message);
            if (pending.sendable() < ServiceLimits.MAX_BATCH_ENTRIES && lingerNanos > 0 && !stopping) {
                if (!flushScheduled) {
                    flushScheduled = true;
                    try {
                        scheduler.schedule(this::lingerElapsed, lingerNanos, TimeUnit.NANOSECONDS);
                    } catch (RejectedExecutionException e) {
                        flushScheduled = false;
                    }
                }
                if (flushScheduled) {
                    return;
                }
            }
        }
        drain();
    }

    private void lingerElapsed() {
        synchronized (this) {
            flushScheduled = false;
        }
        drain();
    }

    /** Starts as many batches as the in-flight limit and the waiting messages allow. */
    private void drain() {
        while (true) {
            List<OutboundMessage> batch;
            synchronized (this) {
                if (pending.sendable() == 0 || inFlight >= MAX_IN_FLIGHT) {
                    return;
                }
                batch = pending.takeBatch(sender.maxBatchBytes());
                inFlight++;
            }
            try {
                executor.execute(() -> sendThenContinue(batch));
            } catch (Throwable e) { // RejectedExecutionException while stopping, or anything else: never strand a batch
                synchronized (this) {
                    inFlight--;
                    pending.settled(batch);
                    notifyAll();
                }
                batch.forEach(m -> m.accepted().completeExceptionally(
                        new SendFailedException("Message " + m.messageId() + " was not sent: the application is stopping", e)));
            }
        }
    }

    private void sendThenContinue(List<OutboundMessage> batch) {
        List<BatchSender.Retryable> retry = List.of();
        try {
            retry = sender.send(batch);
        } catch (Throwable e) { // no message may wait forever: whatever the sender threw fails its batch
            batch.forEach(m -> m.accepted().completeExceptionally(e));
        } finally {
            try {
                settle(batch, retry);
            } finally {
                synchronized (this) {
                    inFlight--;
                    notifyAll();
                }
                drain();
            }
        }
    }

    /** Frees the groups of what the service settled, and schedules the retryable entries, or fails them at last. */
    private void settle(List<OutboundMessage> batch, List<BatchSender.Retryable> retryable) {
        List<OutboundMessage> done = new ArrayList<>(batch);
        Map<Long, List<OutboundMessage>> againByDelay = new TreeMap<>();
        List<BatchSender.Retryable> exhausted = new ArrayList<>(0);
        synchronized (this) {
            for (BatchSender.Retryable entry : retryable) {
                OutboundMessage message = entry.message();
                int attempt = retries.merge(message, 1, Integer::sum);
                if (attempt > RETRY_DELAYS_MILLIS.length) {
                    exhausted.add(entry);
                } else {
                    done.remove(message);
                    awaitingRetry.put(message, Boolean.TRUE);
                    againByDelay.computeIfAbsent(RETRY_DELAYS_MILLIS[attempt - 1], d -> new ArrayList<>()).add(message);
                }
            }
            for (OutboundMessage message : done) {
                retries.remove(message);
            }
            pending.settled(done);
        }
        for (BatchSender.Retryable entry : exhausted) {
            OutboundMessage m = entry.message();
            m.accepted().completeExceptionally(new SendFailedException(capitalized(sender.destination()) + " did not accept "
                    + m.logicalType() + " " + m.messageId() + " in " + (RETRY_DELAYS_MILLIS.length + 1) + " attempts: " + entry.error()));
        }
        againByDelay.forEach((delay, again) -> {
            LOG.log(System.Logger.Level.DEBUG, () -> capitalized(sender.destination()) + " rejected " + again.size()
                    + " entries retryably (" + retryable.get(0).error() + "); sending them again in " + delay + " ms");
            try {
                scheduler.schedule(() -> retryNow(again), delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) { // the timer is stopping: send them again at once
                retryNow(again);
            }
        });
    }

    /** Puts the retried entries back first (those a stop has not failed meanwhile) and starts batches. */
    private void retryNow(List<OutboundMessage> messages) {
        try {
            synchronized (this) {
                List<OutboundMessage> still = new ArrayList<>(messages.size());
                for (OutboundMessage message : messages) {
                    if (awaitingRetry.remove(message) != null) {
                        still.add(message);
                    }
                }
                pending.retry(still);
                notifyAll();
            }
            drain();
        } catch (Throwable e) { // a timer task's exception would vanish: the messages must not
            messages.forEach(m -> m.accepted().completeExceptionally(e));
        }
    }

    /**
     * At stop: sends everything pending now, on this thread, after the batches in flight and the entries waiting for
     * their retry (so FIFO order holds), and waits until the deadline; what is still unsent then fails with a
     * {@link SendFailedException}. Later submits leave at once, without a linger.
     */
    void flush(long deadlineNanos) {
        while (true) {
            List<OutboundMessage> batch;
            synchronized (this) {
                stopping = true;
                try {
                    while ((inFlight > 0 || !awaitingRetry.isEmpty() || pending.sendable() == 0 && !pending.isEmpty())
                            && deadlineNanos - System.nanoTime() > 0) {
                        TimeUnit.NANOSECONDS.timedWait(this, deadlineNanos - System.nanoTime());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (pending.isEmpty() && awaitingRetry.isEmpty() && inFlight == 0) {
                    return;
                }
                if (deadlineNanos - System.nanoTime() <= 0 || Thread.currentThread().isInterrupted()) {
                    List<OutboundMessage> unsent = pending.removeAll();
                    unsent.addAll(awaitingRetry.keySet());
                    awaitingRetry.clear();
                    unsent.forEach(m -> m.accepted().completeExceptionally(new SendFailedException("Message " + m.messageId()
                            + " (" + m.logicalType() + ") was not sent: the application stopped before it could be")));
                    return;
                }
                if (pending.sendable() == 0) {
                    continue;
                }
                batch = pending.takeBatch(sender.maxBatchBytes());
                inFlight++;
            }
            sendThenContinue(batch);
        }
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
