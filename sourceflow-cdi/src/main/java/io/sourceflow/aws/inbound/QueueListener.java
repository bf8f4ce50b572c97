package io.sourceflow.aws.inbound;

import io.sourceflow.aws.TransportStatus;
import io.sourceflow.config.AwsSettings;
import io.sourceflow.telemetry.SourceFlowTelemetry;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

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
    private volatile boolean stopping;
    private int handlersRunning;

    QueueListener(String queueName, String queueUrl, Optional<String> deadLetterQueueUrl, SqsClient sqs,
                  InboundProcessor processor, SourceFlowTelemetry telemetry, ExecutorService executor,
                  ThreadFactory pollerThreads, ScheduledExecutorService scheduler, AwsSettings settings) {
        this.queueName = queueName;
        this.processor = processor;
        boolean fifo = queueName.endsWith(".fifo");
        this.slots = new HandlerSlots(settings.maxConcurrentMessages());
        this.deletes = new DeleteBatcher(sqs, queueName, queueUrl, executor, scheduler,
                fifo || settings.batchLinger().compareTo(STANDARD_QUEUE_DELETE_LINGER) > 0
                        ? settings.batchLinger() : STANDARD_QUEUE_DELETE_LINGER);
        VisibilityChanges visibility = new VisibilityChanges(sqs, queueName, queueUrl);
        this.heartbeat = new VisibilityHeartbeat(visibility, queueName, executor, scheduler,
                settings.visibilityTimeout(), settings.maxVisibilityExtension());
        this.settlement = new Settlement(queueName, deadLetterQueueUrl, deletes, new DeadLetterPublisher(sqs), visibility,
                new RetryBackoff(settings.retryInitialDelay(), settings.retryMaxDelay()), settings.maxReceiveCount(), telemetry::deadLettered);
        MessageSink sink = new MessageSink(fifo, executor, slots, this::handle, settlement::release, () -> stopping);
        this.receiveLoop = new ReceiveLoop(queueName, queueUrl, sqs, slots, sink, pollerThreads,
                settings.maxConcurrentMessages(), settings.waitTime(), settings.batchLinger());
    }

    String queueName() {
        return queueName;
    }

    /** The listener's state for {@link TransportStatus}. */
    TransportStatus.Poller state() {
        return new TransportStatus.Poller(queueName, receiveLoop.isAlive(), receiveLoop.isPaused(), receiveLoop.lastPoll(),
                slots.inFlight());
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
     * Waits for the receive in progress and the running handlers (until the deadline), then flushes deletes.
     *
     * @return whether every running handler finished in time
     */
    boolean awaitStop(long deadlineNanos) {
        boolean finished = false;
        try {
            receiveLoop.awaitExit(deadlineNanos);
            finished = awaitHandlers(deadlineNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        heartbeat.stop();
        deletes.flush(Duration.ofSeconds(10));
        return finished;
    }

    /** Processes one message and settles it; the stage never fails and carries what was done. */
    private CompletableFuture<InboundOutcome.Disposition> handle(Received message) {
        if (stopping) {
            settlement.release(List.of(message));
            return CompletableFuture.completedFuture(InboundOutcome.Disposition.RETRY);
        }
        handlerStarted();
        VisibilityHeartbeat.Lease lease = heartbeat.begin(message.receiptHandle(), message.messageId(), message.receivedAtNanos());
        CompletableFuture<InboundOutcome> processed;
        try {
            processed = processor.process(queueName, message).toCompletableFuture();
        } catch (Throwable e) { // checked exceptions thrown sneakily included: the message is settled below, whatever
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
