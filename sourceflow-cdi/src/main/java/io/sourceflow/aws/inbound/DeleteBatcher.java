package io.sourceflow.aws.inbound;

import io.sourceflow.aws.BatchEntries;
import io.sourceflow.aws.ServiceLimits;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Deletes handled messages of one queue in DeleteMessageBatch requests of up to 10, after a short linger.
 * Failed entries are retried with doubling delays (riding out a short outage); {@link #flush(Duration)} at
 * shutdown sends what is pending and every retry still waiting for its delay, retries what fails then, and waits for it
 * (bounded), so a delete is never dropped by stopping.
 */
final class DeleteBatcher {

    private static final System.Logger LOG = System.getLogger(DeleteBatcher.class.getName());
    /** With the doubling delay below, the last attempt comes about 15 s after the first failure. */
    private static final int MAX_ATTEMPTS = 6;
    private static final long FIRST_RETRY_DELAY_MILLIS = 500;

    /** A receipt handle waiting to be deleted. */
    private record PendingDelete(String receiptHandle, String messageId, int attempt) {
    }

    private final SqsClient sqs;
    private final String queueName;
    private final String queueUrl;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final long lingerNanos;
    private final List<PendingDelete> pending = new ArrayList<>();
    /** Failed deletes waiting for their retry delay; {@link #flush} takes them at once. */
    private final List<PendingDelete> waitingRetry = new ArrayList<>();
    private boolean flushScheduled;
    private int inFlight;

    DeleteBatcher(SqsClient sqs, String queueName, String queueUrl, Executor executor, ScheduledExecutorService scheduler,
                  Duration linger) {
        this.sqs = sqs;
        this.queueName = queueName;
        this.queueUrl = queueUrl;
        this.executor = executor;
        this.scheduler = scheduler;
        this.lingerNanos = Math.max(linger.toNanos(), TimeUnit.MILLISECONDS.toNanos(1));
    }

    void delete(String receiptHandle, String messageId) {
        add(new PendingDelete(receiptHandle, messageId, 1));
    }

    private void add(PendingDelete delete) {
        boolean sendNow;
        synchronized (this) {
            pending.add(delete);
            sendNow = pending.size() >= ServiceLimits.MAX_BATCH_ENTRIES;
            if (!sendNow && !flushScheduled) {
                flushScheduled = true;
                try {
                    scheduler.schedule(this::lingerElapsed, lingerNanos, TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    flushScheduled = false;
                    sendNow = true;
                }
            }
        }
        if (sendNow) {
            sendPending(true);
        }
    }

    private void lingerElapsed() {
        synchronized (this) {
            flushScheduled = false;
        }
        sendPending(true);
    }

    /** Sends everything pending, in batches; asynchronously on the executor, or on this thread. */
    private void sendPending(boolean async) {
        while (true) {
            List<PendingDelete> batch;
            synchronized (this) {
                if (pending.isEmpty()) {
                    return;
                }
                batch = new ArrayList<>(pending.subList(0, Math.min(ServiceLimits.MAX_BATCH_ENTRIES, pending.size())));
                pending.subList(0, batch.size()).clear();
                inFlight++;
            }
            if (async) {
                try {
                    executor.execute(() -> send(batch));
                    continue;
                } catch (Throwable e) {
                    // stopping (RejectedExecutionException), or anything else: send on this thread instead
                }
            }
            send(batch);
        }
    }

    private void send(List<PendingDelete> batch) {
        List<PendingDelete> retry = new ArrayList<>();
        try {
            List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                entries.add(DeleteMessageBatchRequestEntry.builder().id(BatchEntries.id(i)).receiptHandle(batch.get(i).receiptHandle()).build());
            }
            DeleteMessageBatchResponse response = sqs.deleteMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
            Map<String, String> failed = new HashMap<>();
            response.failed().forEach(f -> failed.put(f.id(), f.code() + " " + f.message()));
            BatchEntries.settle(batch, failed, deleted -> { }, (delete, error) -> retryOrGiveUp(delete, error, retry));
        } catch (Throwable e) { // SdkException, or a client already closed: retried like any failed request
            batch.forEach(d -> retryOrGiveUp(d, String.valueOf(e), retry));
        } finally {
            synchronized (this) {
                // in the same step as the in-flight count, so that a flush never sees neither
                waitingRetry.addAll(retry);
                inFlight--;
                notifyAll();
            }
        }
        for (PendingDelete delete : retry) {
            long delay = FIRST_RETRY_DELAY_MILLIS << (delete.attempt() - 2);
            try {
                scheduler.schedule(() -> retryNow(delete), delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // stopping: the flush takes it from waitingRetry
            }
        }
    }

    private void retryNow(PendingDelete delete) {
        boolean stillWaiting;
        synchronized (this) {
            stillWaiting = waitingRetry.remove(delete);
        }
        if (stillWaiting) {
            add(delete);
        }
    }

    private void retryOrGiveUp(PendingDelete delete, String error, List<PendingDelete> retry) {
        if (delete.attempt() < MAX_ATTEMPTS) {
            retry.add(new PendingDelete(delete.receiptHandle(), delete.messageId(), delete.attempt() + 1));
        } else {
            LOG.log(System.Logger.Level.WARNING, "Could not delete handled message " + delete.messageId() + " of queue " + queueName
                    + " after " + MAX_ATTEMPTS + " attempts (" + error + "); it will be delivered again and the "
                    + "idempotency store will recognise it");
        }
    }

    /**
     * Sends what is pending and every retry still waiting, on this thread, and waits for batches already in flight;
     * what fails is retried after a short pause, until it succeeded, ran out of attempts, or the timeout passed.
     */
    void flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMillis = 100;
        while (true) {
            synchronized (this) {
                pending.addAll(waitingRetry);
                waitingRetry.clear();
            }
            sendPending(false);
            synchronized (this) {
                try {
                    while (inFlight > 0 && deadline - System.nanoTime() > 0) {
                        TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
                    }
                    if (inFlight == 0 && pending.isEmpty() && waitingRetry.isEmpty()) {
                        return;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        LOG.log(System.Logger.Level.WARNING, (pending.size() + waitingRetry.size() + inFlight)
                                + " delete(s) of queue " + queueName + " were not confirmed before shutdown; those messages "
                                + "will be delivered again");
                        return;
                    }
                    if (!waitingRetry.isEmpty() && pending.isEmpty() && inFlight == 0) {
                        // a retry failed again: pause briefly (doubling) before the next round, as the retries do
                        TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(pauseMillis)));
                        pauseMillis = Math.min(2_000, pauseMillis * 2);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
