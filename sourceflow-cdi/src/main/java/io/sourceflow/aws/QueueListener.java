package io.sourceflow.aws;

import io.sourceflow.config.AwsSettings;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Polls one SQS queue and feeds its messages to the handlers.
 * <ul>
 * <li>At most {@code max-concurrent-messages} messages are in flight; a receive asks only for as many as
 * there are free slots (up to 10), and each message frees its slot on its own (no batch barrier).</li>
 * <li>On a FIFO queue the messages of one group run one at a time, in order; when one fails, the rest of
 * its group from that receive is released untouched, so order holds across the retry. Groups run in
 * parallel.</li>
 * <li>While a handler runs, its message's visibility is extended ({@link VisibilityHeartbeat}); a failed
 * message becomes visible again after an exponential, jittered delay ({@link RetryBackoff}); a message
 * that can never succeed goes to the dead-letter queue at once; deletes are batched ({@link DeleteBatcher}).</li>
 * <li>Receive errors (throttling, connection) back the poller off exponentially; it never dies of them.</li>
 * <li>Stopping: no new receive starts, a receive in progress completes, running handlers finish (bounded),
 * messages received but not started are released (visibility 0), and pending deletes are flushed.</li>
 * </ul>
 */
final class QueueListener {

    private static final System.Logger LOG = System.getLogger(QueueListener.class.getName());
    private static final int MAX_PER_RECEIVE = 10;
    private static final long MAX_POLL_BACKOFF_MILLIS = 30_000;
    /**
     * How long a handled message's delete may wait for others to fill a batch on a standard queue: nothing waits for
     * it there. A FIFO queue deletes after the send linger, because SQS holds back a group's next messages until then.
     */
    static final Duration STANDARD_QUEUE_DELETE_LINGER = Duration.ofMillis(100);

    private final String queueName;
    private final String queueUrl;
    private final Optional<String> deadLetterQueueUrl;
    private final boolean fifo;
    private final SqsClient sqs;
    private final InboundProcessor processor;
    private final DeadLetterPublisher deadLetters;
    private final ExecutorService executor;
    private final java.util.concurrent.ThreadFactory pollerThreads;
    private final AwsSettings settings;
    private final int maxConcurrent;
    private final Semaphore slots;
    private final DeleteBatcher deletes;
    private final VisibilityHeartbeat heartbeat;
    private final RetryBackoff backoff;
    private final int pollers;
    private final int fullReceive;
    private final CountDownLatch pollerExited;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final Object pauseLock = new Object();
    private volatile boolean running;
    private volatile boolean stopping;
    private volatile boolean paused;
    private volatile Instant lastPoll = Instant.now();
    private int handlersRunning;
    /** Guards {@link #receivesInProgress} (own lock: the listener's monitor wakes idle pollers). */
    private final Object receiveLock = new Object();
    private int receivesInProgress;
    private boolean backlog;

    QueueListener(String queueName, String queueUrl, Optional<String> deadLetterQueueUrl, SqsClient sqs,
                  InboundProcessor processor, ExecutorService executor, java.util.concurrent.ThreadFactory pollerThreads,
                  ScheduledExecutorService scheduler, AwsSettings settings) {
        this.queueName = queueName;
        this.queueUrl = queueUrl;
        this.deadLetterQueueUrl = deadLetterQueueUrl;
        this.fifo = queueName.endsWith(".fifo");
        this.sqs = sqs;
        this.processor = processor;
        this.deadLetters = new DeadLetterPublisher(sqs);
        this.executor = executor;
        this.pollerThreads = pollerThreads;
        this.settings = settings;
        this.maxConcurrent = settings.maxConcurrentMessages();
        this.slots = new Semaphore(maxConcurrent);
        // one receive returns at most 10 messages: with more slots than that, one poller alone would cap throughput at
        // 10 per round trip, so there is a poller for every full 10 slots (at most 8); they share the slots. Rounding
        // down keeps every receive of a backlog full (7 pollers for 64 slots would leave one asking for 4)
        this.pollers = Math.min(8, Math.max(1, maxConcurrent / MAX_PER_RECEIVE));
        this.fullReceive = Math.min(MAX_PER_RECEIVE, maxConcurrent);
        this.pollerExited = new CountDownLatch(pollers);
        this.deletes = new DeleteBatcher(sqs, queueName, queueUrl, executor, scheduler,
                fifo || settings.batchLinger().compareTo(STANDARD_QUEUE_DELETE_LINGER) > 0
                        ? settings.batchLinger() : STANDARD_QUEUE_DELETE_LINGER);
        this.heartbeat = new VisibilityHeartbeat(sqs, queueName, queueUrl, executor, scheduler,
                settings.visibilityTimeout(), settings.maxVisibilityExtension());
        this.backoff = new RetryBackoff(settings.retryInitialDelay(), settings.retryMaxDelay());
    }

    String queueName() {
        return queueName;
    }

    /** When the poller last made progress: a receive completed or failed, or it waited while paused or busy. */
    Instant lastPoll() {
        return lastPoll;
    }

    boolean isPaused() {
        return paused;
    }

    /** Whether the poller is running (not stopped, not exited). */
    boolean isAlive() {
        return running && pollerExited.getCount() == pollers;
    }

    /** Messages whose handlers run now. */
    int inFlight() {
        return maxConcurrent - slots.availablePermits();
    }

    void start() {
        running = true;
        for (int i = 1; i <= pollers; i++) {
            boolean extra = i > 1;
            Thread poller = pollerThreads.newThread(() -> pollLoop(extra));
            try {
                poller.setName("sourceflow-poller-" + queueName + (pollers > 1 ? "-" + i : ""));
            } catch (SecurityException e) {
                // a server may not let applications rename its threads; the name only helps thread dumps
            }
            poller.start();
        }
    }

    /** Stops receiving after the current receive; running handlers go on. */
    void pause() {
        paused = true;
    }

    void resume() {
        synchronized (pauseLock) {
            paused = false;
            pauseLock.notifyAll();
        }
    }

    /**
     * Stops: no new receive; a receive in progress completes and its messages are released or handled;
     * running handlers get until the timeout; then pending deletes are flushed.
     *
     * @return whether every running handler finished in time
     */
    boolean stop(Duration timeout) {
        requestStop();
        return awaitStop(System.nanoTime() + timeout.toNanos());
    }

    /** Stops receiving; returns at once (see {@link #awaitStop}). */
    void requestStop() {
        stopping = true;
        running = false;
        stopRequested.countDown();
        resume();
        synchronized (this) {
            notifyAll();
        }
    }

    /** Waits for the receive in progress and the running handlers (until the deadline), then flushes deletes. */
    boolean awaitStop(long deadline) {
        boolean finished = false;
        try {
            // a long poll in progress returns within the wait time; a shorter shutdown timeout leaves it behind (its
            // messages, if any, are released when it returns, or reappear after their visibility timeout)
            long pollWait = Math.min(settings.waitTime().toNanos() + TimeUnit.SECONDS.toNanos(5), Math.max(0, deadline - System.nanoTime()));
            pollerExited.await(pollWait, TimeUnit.NANOSECONDS);
            finished = awaitHandlers(deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        heartbeat.stop();
        deletes.flush(Duration.ofSeconds(10));
        return finished;
    }

    /** Waits until no handler runs (a poller stuck in a receive holds slots, but runs no handler). */
    private synchronized boolean awaitHandlers(long deadline) throws InterruptedException {
        while (handlersRunning > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    private synchronized void handlerStarted() {
        handlersRunning++;
    }

    private synchronized void handlerEnded() {
        handlersRunning--;
        notifyAll();
    }

    /**
     * @param extra whether this is an additional poller: it receives only while the queue has a backlog (the last
     *              receive came back full), so that a quiet queue costs one long poll at a time, not one per poller
     */
    private void pollLoop(boolean extra) {
        int failures = 0;
        try {
            while (running) {
                if (paused && !waitWhilePaused()) {
                    continue;
                }
                if (extra && !awaitBacklog()) {
                    continue;
                }
                int free = acquireSlots();
                if (free == 0) {
                    continue;
                }
                if (!beginReceive()) {
                    slots.release(free);
                    continue;
                }
                List<Message> messages = List.of();
                Exception failure = null;
                try {
                    try {
                        messages = sqs.receiveMessage(r -> r.queueUrl(queueUrl)
                                .maxNumberOfMessages(free)
                                .waitTimeSeconds((int) settings.waitTime().toSeconds())
                                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT,
                                        MessageSystemAttributeName.SENT_TIMESTAMP, MessageSystemAttributeName.MESSAGE_GROUP_ID)
                                .messageAttributeNames("All")).messages();
                        failures = 0;
                        lastPoll = Instant.now();
                    } catch (SdkException e) {
                        failure = e;
                    } catch (RuntimeException e) {
                        failure = e;
                        LOG.log(System.Logger.Level.ERROR, "Unexpected error receiving from queue " + queueName, e);
                    }
                    if (failure == null) {
                        dispatch(messages, free);
                    }
                } finally {
                    endReceive();
                }
                if (failure != null) {
                    slots.release(free);
                    failures++;
                    backOff(failures, failure);
                } else if (!messages.isEmpty() && messages.size() < free) {
                    lingerAfterShortReceive();
                }
            }
        } catch (Error e) {
            LOG.log(System.Logger.Level.ERROR, "Listener of queue " + queueName + " stopped by an error", e);
            throw e;
        } finally {
            pollerExited.countDown();
        }
    }

    /** Hands a receive's messages to the handlers and returns the slots it did not fill. */
    private void dispatch(List<Message> messages, int free) {
        long receivedAt = System.nanoTime();
        backlog(messages.size() == free);
        slots.release(free - messages.size());
        if (fifo) {
            dispatchByGroup(messages, receivedAt);
        } else {
            for (Message message : messages) {
                submit(() -> handle(message, receivedAt).whenComplete((v, e) -> slots.release()), List.of(message));
            }
        }
    }

    /** Marks a receive as started, unless the listener is paused or stopping (checked under the same lock). */
    private boolean beginReceive() {
        synchronized (receiveLock) {
            if (paused || !running) {
                return false;
            }
            receivesInProgress++;
            return true;
        }
    }

    private void endReceive() {
        synchronized (receiveLock) {
            receivesInProgress--;
            receiveLock.notifyAll();
        }
    }

    /**
     * Waits until a paused listener has no receive in progress: its last receive returned and its messages were handed
     * to handlers, and no new receive starts until it is resumed.
     *
     * @return whether that happened before the deadline
     * @throws IllegalStateException if the listener is not paused
     */
    boolean awaitNoReceive(long deadlineNanos) throws InterruptedException {
        synchronized (receiveLock) {
            if (!paused) {
                throw new IllegalStateException("The listener of queue " + queueName + " is not paused; pause it first");
            }
            while (receivesInProgress > 0) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(receiveLock, left);
            }
            return true;
        }
    }

    /**
     * Messages are arriving, but slower than they are received: waiting {@code batch-linger} before the next receive lets
     * a few more arrive, so that under a steady stream a receive carries several messages instead of one or two (the
     * trade-off {@code batch-linger} makes on the sending side too). An empty receive has already waited its long poll.
     */
    private void lingerAfterShortReceive() {
        long linger = settings.batchLinger().toNanos();
        if (linger <= 0) {
            return;
        }
        try {
            stopRequested.await(linger, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private synchronized void backlog(boolean full) {
        if (full != backlog) {
            backlog = full;
            notifyAll();
        }
    }

    /** Waits (up to a second at a time) until the queue has a backlog; false to look at the loop's conditions again. */
    private synchronized boolean awaitBacklog() {
        if (backlog) {
            return true;
        }
        lastPoll = Instant.now(); // idle by design, not stuck
        try {
            wait(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
        return backlog && running;
    }

    private boolean waitWhilePaused() {
        synchronized (pauseLock) {
            while (paused && running) {
                lastPoll = Instant.now();
                try {
                    pauseLock.wait(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
        }
        return running;
    }

    /**
     * Waits for free slots and takes up to 10: at least one while the queue is quiet (a message is handled as soon as
     * a slot is free), a full receive's worth while it has a backlog (fewer, fuller receives cost less per message).
     */
    private int acquireSlots() {
        int wanted;
        synchronized (this) {
            wanted = backlog ? fullReceive : 1;
        }
        try {
            if (!slots.tryAcquire(wanted, 1, TimeUnit.SECONDS)) {
                lastPoll = Instant.now(); // busy, not stuck: the slots are in use
                return 0;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return 0;
        }
        if (!running || paused) {
            slots.release(wanted);
            return 0;
        }
        int more = 0;
        while (wanted + more < MAX_PER_RECEIVE && slots.tryAcquire()) {
            more++;
        }
        return wanted + more;
    }

    private void backOff(int failures, Exception e) {
        lastPoll = Instant.now(); // a failed receive is progress too: liveness looks for a stuck poller, readiness for AWS
        long delay = Math.min(MAX_POLL_BACKOFF_MILLIS, 200L << Math.min(failures, 10));
        delay = delay / 2 + (long) (Math.random() * delay / 2);
        LOG.log(failures == 1 ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                "Receiving from queue " + queueName + " failed (" + e.getMessage() + "); retrying in " + delay + " ms");
        try {
            // waits like a sleep, but stopping ends it at once
            stopRequested.await(delay, TimeUnit.MILLISECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Runs work on the executor; if it refuses (shutting down), the messages are released at once. */
    private void submit(Runnable work, List<Message> messages) {
        try {
            executor.execute(work);
        } catch (RejectedExecutionException e) {
            release(messages);
            slots.release(messages.size());
        }
    }

    private void dispatchByGroup(List<Message> messages, long receivedAt) {
        Map<String, List<Message>> groups = new LinkedHashMap<>();
        for (Message message : messages) {
            String group = message.attributes().getOrDefault(MessageSystemAttributeName.MESSAGE_GROUP_ID, "");
            groups.computeIfAbsent(group, g -> new ArrayList<>()).add(message);
        }
        for (List<Message> group : groups.values()) {
            submit(() -> runGroup(group, 0, receivedAt), group);
        }
    }

    /** Runs a group's messages in order; a failure (or stopping) releases the rest of the group. */
    private void runGroup(List<Message> group, int index, long receivedAt) {
        if (index >= group.size()) {
            return;
        }
        handle(group.get(index), receivedAt).whenComplete((disposition, error) -> {
            slots.release();
            if (disposition != null && !disposition.staysOnQueue() && !stopping) {
                runGroup(group, index + 1, receivedAt);
            } else {
                List<Message> rest = group.subList(index + 1, group.size());
                release(rest);
                slots.release(rest.size());
            }
        });
    }

    /** Makes messages visible again at once, for another consumer or a later receive. */
    private void release(List<Message> messages) {
        for (int from = 0; from < messages.size(); from += 10) {
            List<Message> batch = messages.subList(from, Math.min(messages.size(), from + 10));
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(i))
                        .receiptHandle(batch.get(i).receiptHandle()).visibilityTimeout(0).build());
            }
            try {
                sqs.changeMessageVisibilityBatch(r -> r.queueUrl(queueUrl).entries(entries));
            } catch (SdkException e) {
                LOG.log(System.Logger.Level.DEBUG, "Could not release " + batch.size() + " message(s) of " + queueName
                        + "; they become visible when their visibility timeout ends", e);
            }
        }
    }

    /** Processes one message and settles it: delete, dead-letter then delete, or back off for a retry. */
    private CompletableFuture<InboundOutcome.Disposition> handle(Message message, long receivedAt) {
        if (stopping) {
            release(List.of(message));
            return CompletableFuture.completedFuture(InboundOutcome.Disposition.RETRY);
        }
        handlerStarted();
        VisibilityHeartbeat.Lease lease = heartbeat.begin(message.receiptHandle(), message.messageId(), receivedAt);
        CompletableFuture<InboundOutcome> processed;
        try {
            processed = processor.process(queueName, message).toCompletableFuture();
        } catch (RuntimeException e) {
            processed = CompletableFuture.failedFuture(e);
        }
        return processed.handle((outcome, unexpected) -> {
            lease.end();
            try {
                if (unexpected != null) {
                    LOG.log(System.Logger.Level.ERROR, "Processing message " + message.messageId() + " of " + queueName
                            + " failed unexpectedly; it will be retried", unexpected);
                    return InboundOutcome.Disposition.RETRY;
                }
                return settle(message, outcome);
            } finally {
                handlerEnded();
            }
        });
    }

    private InboundOutcome.Disposition settle(Message message, InboundOutcome outcome) {
        switch (outcome.disposition()) {
            case HANDLED -> deletes.delete(message.receiptHandle(), outcome.messageId());
            case DEAD_LETTER -> {
                if (deadLetterQueueUrl.isEmpty()) {
                    LOG.log(System.Logger.Level.ERROR, "Message " + outcome.messageId() + " of queue " + queueName
                            + " can never succeed (" + outcome.reason() + ": " + outcome.detail() + ") but the queue has no "
                            + "dead-letter queue; it stays on the queue until SQS's retention ends. Provision a DLQ");
                    retryLater(message, outcome);
                    return InboundOutcome.Disposition.RETRY;
                }
                try {
                    deadLetters.publish(queueName, deadLetterQueueUrl.get(), fifo, message, outcome);
                } catch (SdkException e) {
                    LOG.log(System.Logger.Level.WARNING, "Could not move message " + outcome.messageId() + " of " + queueName
                            + " to its dead-letter queue; it will be retried", e);
                    retryLater(message, outcome);
                    return InboundOutcome.Disposition.RETRY;
                }
                LOG.log(System.Logger.Level.WARNING, "Message " + outcome.messageId() + " of queue " + queueName
                        + " moved to the dead-letter queue: " + outcome.reason() + " - " + outcome.detail());
                deletes.delete(message.receiptHandle(), outcome.messageId());
                processor.telemetry().deadLettered(queueName, outcome.reason());
            }
            case RETRY -> retryLater(message, outcome);
            case DUPLICATE -> deletes.delete(message.receiptHandle(), outcome.messageId());
            case HELD_ELSEWHERE -> IdempotencyGuard.lookAgainLater(sqs, queueUrl, message, outcome);
        }
        return outcome.disposition();
    }

    private void retryLater(Message message, InboundOutcome outcome) {
        int receiveCount = InboundProcessor.receiveCount(message);
        int delay = backoff.delaySeconds(receiveCount);
        if (outcome.failure() != null) {
            LOG.log(System.Logger.Level.WARNING, "Message " + outcome.messageId() + " of " + queueName + " failed (receive "
                    + receiveCount + " of " + settings.maxReceiveCount() + "); retrying in " + delay + " s", outcome.failure());
        }
        try {
            sqs.changeMessageVisibility(r -> r.queueUrl(queueUrl).receiptHandle(message.receiptHandle()).visibilityTimeout(delay));
        } catch (SdkException e) {
            LOG.log(System.Logger.Level.DEBUG, "Could not set the retry delay of message " + outcome.messageId()
                    + "; it becomes visible when its visibility timeout ends", e);
        }
    }
}
