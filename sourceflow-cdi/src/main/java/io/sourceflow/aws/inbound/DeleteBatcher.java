package io.sourceflow.aws.inbound;

import io.sourceflow.aws.BatchEntries;
import io.sourceflow.aws.ServiceLimits;
import software.amazon.awssdk.core.exception.SdkException;
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
 * shutdown sends what is pending and
 * waits for it, so a delete is never dropped by stopping.
 */
final class DeleteBatcher {

    private static final System.Logger LOG = System.getLogger(DeleteBatcher.class.getName());
    /** With the doubling delay below, the last attempt comes about 30 s after the first failure. */
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
                } catch (RejectedExecutionException e) {
                    // stopping: send on this thread instead
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
        } catch (SdkException e) {
            batch.forEach(d -> retryOrGiveUp(d, e.getMessage(), retry));
        } finally {
            synchronized (this) {
                inFlight--;
                notifyAll();
            }
        }
        for (PendingDelete delete : retry) {
            long delay = FIRST_RETRY_DELAY_MILLIS << (delete.attempt() - 2);
            try {
                scheduler.schedule(() -> add(delete), delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                add(delete);
            }
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

    /** Sends what is pending on this thread and waits (bounded) for batches already in flight. */
    void flush(Duration timeout) {
        sendPending(false);
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (inFlight > 0 || !pending.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.log(System.Logger.Level.WARNING, pending.size() + " delete(s) of queue " + queueName
                            + " were not confirmed before shutdown; those messages will be delivered again");
                    return;
                }
                if (!pending.isEmpty() && inFlight == 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (!pending.isEmpty()) {
            sendPending(false);
        }
    }
}
