package io.sourceflow.aws.outbound;

import io.sourceflow.aws.OutboundMessage;
import io.sourceflow.aws.SendFailedException;
import io.sourceflow.aws.ServiceLimits;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Collects the messages for one destination into batches of up to 10 (and the service's batch byte
 * limit): a batch leaves when it is full, when the first message in it has waited the linger time, or when a send to
 * the same destination returns while messages wait (they have waited a round trip already). FIFO destinations have
 * one batch in flight at a time, so per-group order holds across batches; standard destinations allow several.
 */
final class OutboundBatcher {

    private final BatchSender sender;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final long lingerNanos;
    private final int maxInFlight;
    private final Deque<OutboundMessage> pending = new ArrayDeque<>();
    private boolean flushScheduled;
    private boolean stopping;
    private int inFlight;

    OutboundBatcher(BatchSender sender, Executor executor, ScheduledExecutorService scheduler, Duration linger, boolean fifo) {
        this.sender = sender;
        this.executor = executor;
        this.scheduler = scheduler;
        this.lingerNanos = linger.toNanos();
        this.maxInFlight = fifo ? 1 : 4;
    }

    void submit(OutboundMessage message) {
        synchronized (this) {
            pending.addLast(message);
            if (pending.size() < ServiceLimits.MAX_BATCH_ENTRIES && lingerNanos > 0 && !stopping) {
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

    /** Starts as many batches as the in-flight limit allows. */
    private void drain() {
        while (true) {
            List<OutboundMessage> batch;
            synchronized (this) {
                if (pending.isEmpty() || inFlight >= maxInFlight) {
                    return;
                }
                batch = takeBatch();
                inFlight++;
            }
            try {
                executor.execute(() -> sendThenContinue(batch));
            } catch (Throwable e) { // RejectedExecutionException while stopping, or anything else: never strand a batch
                synchronized (this) {
                    inFlight--;
                    notifyAll();
                }
                batch.forEach(m -> m.accepted().completeExceptionally(
                        new SendFailedException("Message " + m.messageId() + " was not sent: the application is stopping", e)));
            }
        }
    }

    private List<OutboundMessage> takeBatch() {
        List<OutboundMessage> batch = new ArrayList<>(ServiceLimits.MAX_BATCH_ENTRIES);
        int bytes = 0;
        while (!pending.isEmpty() && batch.size() < ServiceLimits.MAX_BATCH_ENTRIES) {
            OutboundMessage next = pending.peekFirst();
            if (!batch.isEmpty() && bytes + next.size() > sender.maxBatchBytes()) {
                break;
            }
            batch.add(pending.pollFirst());
            bytes += next.size();
        }
        return batch;
    }

    private void sendThenContinue(List<OutboundMessage> batch) {
        try {
            sender.send(batch);
        } catch (Throwable e) { // no message may wait forever: whatever the sender threw fails its batch
            batch.forEach(m -> m.accepted().completeExceptionally(e));
        } finally {
            synchronized (this) {
                inFlight--;
                notifyAll();
            }
            drain();
        }
    }

    /**
     * At stop: sends everything pending now, on this thread, after the batches in flight (so FIFO order holds), and
     * waits until the deadline; what is still unsent then fails with a {@link SendFailedException}. Later submits
     * leave at once, without a linger.
     */
    void flush(long deadlineNanos) {
        while (true) {
            List<OutboundMessage> batch;
            synchronized (this) {
                stopping = true;
                try {
                    while (inFlight > 0 && deadlineNanos - System.nanoTime() > 0) {
                        TimeUnit.NANOSECONDS.timedWait(this, deadlineNanos - System.nanoTime());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (pending.isEmpty()) {
                    return;
                }
                if (inFlight > 0 || deadlineNanos - System.nanoTime() <= 0 || Thread.currentThread().isInterrupted()) {
                    List<OutboundMessage> unsent = new ArrayList<>(pending);
                    pending.clear();
                    unsent.forEach(m -> m.accepted().completeExceptionally(new SendFailedException("Message " + m.messageId()
                            + " (" + m.logicalType() + ") was not sent: the application stopped before it could be")));
                    return;
                }
                batch = takeBatch();
                inFlight++;
            }
            sendThenContinue(batch);
        }
    }
}
