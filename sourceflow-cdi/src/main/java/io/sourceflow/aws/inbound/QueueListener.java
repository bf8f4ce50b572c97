package io.sourceflow.aws.inbound;

import io.sourceflow.aws.TransportStatus;
import io.sourceflow.aws.WireAttributes;
import io.sourceflow.config.AwsSettings;
import io.sourceflow.telemetry.SourceFlowTelemetry;
import io.sourceflow.wire.WireText;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One queue's listener, put together from its roles: the {@link ReceiveLoop} receives into free {@link HandlerSlots},
 * the {@link MessageSink} runs each message (FIFO groups in order), the {@link VisibilityHeartbeat} keeps running
 * messages hidden, and {@link Settlement} deletes (through the {@link DeleteBatcher}), dead-letters, retries or
 * releases each one by its outcome. Stopping: no new receive starts, a receive in progress completes, running handlers
 * finish (bounded), messages received but not started are released, and pending deletes are flushed.
 */
final class QueueListener {

    private static final System.Logger LOG = System.getLogger(QueueListener.class.getName());
    /**
     * How long a handled message's delete may wait for others to fill a batch on a standard queue: nothing waits for
     * it there. A FIFO queue deletes after the send linger, because SQS holds back a group's next messages until then.
     */
    static final Duration STANDARD_QUEUE_DELETE_LINGER = Duration.ofMillis(100);

    private final String queueName;
    private final InboundProcessor processor;
    private final HandlerSlots slots;
    private final DeleteBatcher deletes;
    private final VisibilityHeartbeat heartbeat;
    private final Settlement settlement;
    private final ReceiveLoop receiveLoop;
    /** The heartbeat of every received message not yet settled or released, by receipt handle. */
    private final Map<String, VisibilityHeartbeat.Lease> protectedMessages = new ConcurrentHashMap<>();
    /**
     * Every received message whose handling has not started, by receipt handle: whoever removes one (its handler, or
     * a release) owns it, so stopping can release what is left exactly once, while the SQS client is still open.
     */
    private final Map<String, Received> notStarted = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final Duration handlerTimeout;
    private final AtomicInteger handlersPastTimeout = new AtomicInteger();
    private volatile boolean stopping;
    private int handlersRunning;

    QueueListener(String queueName, String queueUrl, Optional<String> deadLetterQueueUrl, SqsClient sqs,
                  InboundProcessor processor, SourceFlowTelemetry telemetry, ExecutorService executor,
                  ThreadFactory pollerThreads, ScheduledExecutorService scheduler, AwsSettings settings,
                  Duration visibilityTimeout) {
        this.queueName = queueName;
        this.processor = processor;
        this.scheduler = scheduler;
        this.handlerTimeout = settings.handlerTimeout();
        boolean fifo = queueName.endsWith(".fifo");
        this.slots = HandlerSlots.forHandlers(settings.maxConcurrentMessages());
        this.deletes = new DeleteBatcher(sqs, queueName, queueUrl, executor, scheduler,
                fifo || settings.batchLinger().compareTo(STANDARD_QUEUE_DELETE_LINGER) > 0
                        ? settings.batchLinger() : STANDARD_QUEUE_DELETE_LINGER);
        VisibilityChanges visibility = new VisibilityChanges(sqs, queueName, queueUrl);
        this.heartbeat = new VisibilityHeartbeat(visibility, queueName, executor, scheduler,
                visibilityTimeout, settings.maxVisibilityExtension());
        this.settlement = new Settlement(queueName, deadLetterQueueUrl, deletes, new DeadLetterPublisher(sqs), visibility,
                new RetryBackoff(settings.retryInitialDelay(), settings.retryMaxDelay()), settings.maxReceiveCount(), telemetry::deadLettered);
        MessageSink sink = new MessageSink(fifo, executor, slots, this::handle, this::release, this::protect, () -> stopping);
        this.receiveLoop = new ReceiveLoop(queueName, queueUrl, sqs, slots, sink, pollerThreads, settings.waitTime(),
                settings.batchLinger());
    }

    String queueName() {
        return queueName;
    }

    /** The listener's state for {@link TransportStatus}. */
    TransportStatus.Poller state() {
        return new TransportStatus.Poller(queueName, receiveLoop.isAlive(), receiveLoop.isPaused(), receiveLoop.lastPoll(),
                slots.inFlight(), slots.handlers(), handlersPastTimeout.get());
    }

    void start() {
        receiveLoop.start();
    }

    void pause() {
        receiveLoop.pause();
    }

    void resume() {
        receiveLoop.resume();
    }

    boolean awaitNoReceive(long deadlineNanos) throws InterruptedException {
        return receiveLoop.awaitNoReceive(deadlineNanos);
    }

    /** Stops receiving; returns at once (see {@link #awaitStop}). */
    void requestStop() {
        stopping = true;
        receiveLoop.requestStop();
    }

    /**
     * Waits for the receive in progress (at most its wait time) and the running handlers (until the deadline), releases
     * the messages received but not started, then flushes deletes: all before the SQS client closes.
     *
     * @return whether every running handler finished in time
     */
    boolean awaitStop(long deadlineNanos) {
        boolean finished = false;
        try {
            receiveLoop.awaitExit();
            finished = awaitHandlers(deadlineNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Received> left = new ArrayList<>();
        for (String receiptHandle : notStarted.keySet()) {
            Received message = notStarted.remove(receiptHandle);
            if (message != null) {
                left.add(message);
            }
        }
        releaseOwned(left);
        heartbeat.stop();
        deletes.flush(Duration.ofSeconds(10));
        return finished;
    }

    /**
     * Keeps every message of a receive invisible from the moment it was received until it is settled or released: a
     * FIFO group's later messages wait for the earlier ones, and a saturated executor queues messages.
     */
    private void protect(List<Received> messages) {
        for (Received message : messages) {
            notStarted.put(message.receiptHandle(), message);
        }
        for (Received message : messages) {
            protectedMessages.put(message.receiptHandle(),
                    heartbeat.begin(message.receiptHandle(), message.messageId(), message.receivedAtNanos()));
        }
    }

    /** Makes messages that will not be handled now visible again (those not already released). */
    private void release(List<Received> messages) {
        List<Received> owned = new ArrayList<>(messages.size());
        for (Received message : messages) {
            if (notStarted.remove(message.receiptHandle()) != null) {
                owned.add(message);
            }
        }
        releaseOwned(owned);
    }

    /** Makes messages visible again, ending their heartbeat first. */
    private void releaseOwned(List<Received> messages) {
        if (messages.isEmpty()) {
            return;
        }
        messages.forEach(this::unprotect);
        settlement.release(messages);
    }

    private void unprotect(Received message) {
        VisibilityHeartbeat.Lease lease = protectedMessages.remove(message.receiptHandle());
        if (lease != null) {
            lease.end();
        }
    }

    /** Processes one message and settles it; the stage never fails and carries what was done. */
    private CompletableFuture<InboundOutcome.Disposition> handle(Received message) {
        if (notStarted.remove(message.receiptHandle()) == null) { // released by the stop while it waited for its turn
            return CompletableFuture.completedFuture(InboundOutcome.Disposition.RETRY);
        }
        if (stopping) {
            releaseOwned(List.of(message));
            return CompletableFuture.completedFuture(InboundOutcome.Disposition.RETRY);
        }
        VisibilityHeartbeat.Lease lease = protectedMessages.get(message.receiptHandle());
        if (lease != null && lease.expired()) {
            // its visibility ran out while it waited for its turn: another consumer may have it now, so running it
            // here could run it twice, or out of order; it stays on the queue for whoever receives it next
            unprotect(message);
            LOG.log(System.Logger.Level.WARNING, "Message " + message.messageId() + " of " + queueName + " waited past its "
                    + "visibility timeout before its turn; it is left for redelivery");
            return CompletableFuture.completedFuture(InboundOutcome.Disposition.RETRY);
        }
        handlerStarted();
        HandlerWatch watch = new HandlerWatch(message, scheduler, handlerTimeout, handlersPastTimeout, this::handlerOverdue);
        CompletableFuture<InboundOutcome> processed;
        try {
            processed = processor.process(queueName, message).toCompletableFuture();
        } catch (Throwable e) { // checked exceptions thrown sneakily included: the message is settled below, whatever
            processed = CompletableFuture.failedFuture(e);
        } finally {
            watch.leftThread();
        }
        return processed.handle((outcome, unexpected) -> {
            watch.done();
            unprotect(message);
            try {
                if (unexpected != null) {
                    LOG.log(System.Logger.Level.ERROR, "Processing message " + message.messageId() + " of " + queueName
                            + " failed unexpectedly; it will be retried", unexpected);
                    return InboundOutcome.Disposition.RETRY;
                }
                return settlement.settle(message, outcome);
            } catch (Throwable e) {
                LOG.log(System.Logger.Level.ERROR, "Settling message " + message.messageId() + " of " + queueName
                        + " failed; it becomes visible again when its visibility timeout ends", e);
                return InboundOutcome.Disposition.RETRY;
            } finally {
                handlerEnded();
            }
        });
    }

    /** A handler ran past {@code handler-timeout}: its message is given up for redelivery (its thread was interrupted). */
    private void handlerOverdue(Received message) {
        unprotect(message);
        var attributes = message.message().messageAttributes();
        String type = attributes.containsKey(WireAttributes.TYPE) ? WireText.escape(attributes.get(WireAttributes.TYPE).stringValue()) : "unknown";
        LOG.log(System.Logger.Level.ERROR, "Handler of message " + message.messageId() + " (type " + type + ") on queue "
                + queueName + " has run past sourceflow.aws.handler-timeout=" + handlerTimeout + "; its message is no "
                + "longer kept invisible and will be delivered again, and its thread was interrupted");
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
}
