package io.sourceflow.aws.inbound;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The receive side of one queue's listener: long-polling pollers that receive only into free {@link HandlerSlots} and
 * hand what they got to the {@link MessageSink}. One poller per full 10 slots, waiting handlers included (at most 8);
 * the extra ones receive only while the queue has a backlog (the last receive came back full), so a quiet queue costs
 * one long poll at a time.
 * Pausing stops new receives; receive errors (throttling, connection) back a poller off exponentially, and it never
 * dies of them.
 */
final class ReceiveLoop {

    private static final System.Logger LOG = System.getLogger(ReceiveLoop.class.getName());
    private static final long MAX_POLL_BACKOFF_MILLIS = 30_000;

    private final String queueName;
    private final String queueUrl;
    private final SqsClient sqs;
    private final HandlerSlots slots;
    private final MessageSink sink;
    private final ThreadFactory pollerThreads;
    private final int waitTimeSeconds;
    private final long lingerNanos;
    private final int pollers;
    private final CountDownLatch pollerExited;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final PauseGate gate;
    private volatile boolean running;
    /** When each poller last made progress; liveness looks at the one that made none for longest. */
    private final AtomicReferenceArray<Instant> lastPolls;
    /** Whether the last receive came back full; guarded by this object's monitor, which wakes idle extra pollers. */
    private boolean backlog;

    ReceiveLoop(String queueName, String queueUrl, SqsClient sqs, HandlerSlots slots, MessageSink sink,
                ThreadFactory pollerThreads, Duration waitTime, Duration batchLinger) {
        this.queueName = queueName;
        this.queueUrl = queueUrl;
        this.sqs = sqs;
        this.slots = slots;
        this.sink = sink;
        this.pollerThreads = pollerThreads;
        this.waitTimeSeconds = (int) waitTime.toSeconds();
        this.lingerNanos = batchLinger.toNanos();
        // one receive returns at most 10 messages: with more slots than that, one poller alone would cap throughput at
        // 10 per round trip, so there is a poller for every full 10 slots (HandlerSlots.pollers); they share the slots
        this.pollers = slots.pollers();
        this.pollerExited = new CountDownLatch(pollers);
        this.lastPolls = new AtomicReferenceArray<>(pollers);
        Instant now = Instant.now();
        for (int i = 0; i < pollers; i++) {
            lastPolls.set(i, now);
        }
        this.gate = new PauseGate(queueName);
    }

    void start() {
        running = true;
        for (int i = 1; i <= pollers; i++) {
            boolean extra = i > 1;
            int index = i - 1;
            Thread poller = pollerThreads.newThread(() -> pollLoop(index, extra));
            try {
                poller.setName("sourceflow-poller-" + queueName + (pollers > 1 ? "-" + i : ""));
            } catch (SecurityException e) {
                // a server may not let applications rename its threads; the name only helps thread dumps
            }
            poller.start();
        }
    }

    /**
     * When the poller that has gone longest without progress last made some (a receive completed or failed, or it
     * waited while paused, busy or idle): one hung receive shows here even while the other pollers are fine.
     */
    Instant lastPoll() {
        Instant oldest = lastPolls.get(0);
        for (int i = 1; i < lastPolls.length(); i++) {
            Instant last = lastPolls.get(i);
            if (last.isBefore(oldest)) {
                oldest = last;
            }
        }
        return oldest;
    }

    boolean isPaused() {
        return gate.isPaused();
    }

    /** Whether the pollers run (not stopped, none exited). */
    boolean isAlive() {
        return running && pollerExited.getCount() == pollers;
    }

    /** Stops receiving after the current receive. */
    void pause() {
        gate.pause();
    }

    void resume() {
        gate.resume();
    }

    /** No new receive starts; returns at once. */
    void requestStop() {
        running = false;
        stopRequested.countDown();
        resume();
        synchronized (this) {
            notifyAll();
        }
    }

    /**
     * Waits until every poller has exited: a long poll in progress returns within the wait time, so this waits at most
     * that plus 5 s, whatever {@code shutdown-timeout} is, because the messages of a receive can only be released while
     * the SQS client is open (a receive that still does not return releases its messages when it does, or they reappear
     * after their visibility timeout).
     */
    void awaitExit() throws InterruptedException {
        pollerExited.await(waitTimeSeconds + 5L, TimeUnit.SECONDS);
    }

    /** See {@link PauseGate#awaitNoReceive}. */
    boolean awaitNoReceive(long deadlineNanos) throws InterruptedException {
        return gate.awaitNoReceive(deadlineNanos);
    }

    /** @param extra whether this is an additional poller, which receives only while the queue has a backlog */
    private void pollLoop(int poller, boolean extra) {
        int failures = 0;
        try {
            while (running) {
                if (gate.isPaused() && !waitWhilePaused(poller)) {
                    continue;
                }
                if (extra && !awaitBacklog(poller)) {
                    continue;
                }
                int free = acquireSlots(poller);
                if (free == 0) {
                    continue;
                }
                if (!gate.beginReceive(running)) {
                    slots.release(free);
                    continue;
                }
                List<Message> messages = List.of();
                Throwable failure = null;
                try {
                    try {
                        messages = sqs.receiveMessage(r -> r.queueUrl(queueUrl)
                                .maxNumberOfMessages(free)
                                .waitTimeSeconds(waitTimeSeconds)
                                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT,
                                        MessageSystemAttributeName.SENT_TIMESTAMP, MessageSystemAttributeName.MESSAGE_GROUP_ID)
                                .messageAttributeNames("All")).messages();
                        failures = 0;
                        lastPolls.set(poller, Instant.now());
                    } catch (SdkException e) {
                        failure = e;
                    } catch (Throwable e) { // the poller never dies of a receive: it backs off and tries again
                        failure = e;
                        LOG.log(System.Logger.Level.ERROR, "Unexpected error receiving from queue " + queueName, e);
                    }
                    if (failure == null) {
                        handOver(messages, free);
                    }
                } finally {
                    gate.endReceive();
                }
                if (failure != null) {
                    slots.release(free);
                    failures++;
                    backOff(poller, failures, failure);
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

    /** Hands a receive's messages to the sink and gives back the slots it did not fill. */
    private void handOver(List<Message> messages, int free) {
        long receivedAt = System.nanoTime();
        backlog(messages.size() == free);
        slots.release(free - messages.size());
        List<Received> received = new ArrayList<>(messages.size());
        for (Message message : messages) {
            received.add(Received.of(message, receivedAt));
        }
        sink.accept(received);
    }

    /**
     * Messages are arriving, but slower than they are received: waiting {@code batch-linger} before the next receive lets
     * a few more arrive, so that under a steady stream a receive carries several messages instead of one or two (the
     * trade-off {@code batch-linger} makes on the sending side too). An empty receive has already waited its long poll.
     */
    private void lingerAfterShortReceive() {
        if (lingerNanos <= 0) {
            return;
        }
        try {
            stopRequested.await(lingerNanos, TimeUnit.NANOSECONDS);
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
    private synchronized boolean awaitBacklog(int poller) {
        if (backlog) {
            return true;
        }
        lastPolls.set(poller, Instant.now()); // idle by design, not stuck
        try {
            wait(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
        return backlog && running;
    }

    private boolean waitWhilePaused(int poller) {
        try {
            return gate.waitWhilePaused(() -> running, now -> lastPolls.set(poller, now));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return false;
        }
    }

    /** Takes free slots (see {@link HandlerSlots#acquire}); 0 when none came within a second, or the loop must stop. */
    private int acquireSlots(int poller) {
        boolean full;
        synchronized (this) {
            full = backlog;
        }
        int taken;
        try {
            taken = slots.acquire(full, 1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return 0;
        }
        if (taken == 0) {
            lastPolls.set(poller, Instant.now()); // busy, not stuck: the slots are in use
            return 0;
        }
        if (!running || gate.isPaused()) {
            slots.release(taken);
            return 0;
        }
        return taken;
    }

    private void backOff(int poller, int failures, Throwable e) {
        lastPolls.set(poller, Instant.now()); // a failed receive is progress too: liveness looks for a stuck poller, readiness for AWS
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
}
