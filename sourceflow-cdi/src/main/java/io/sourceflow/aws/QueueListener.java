package io.sourceflow.aws;

import io.sourceflow.config.AwsSettings;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Polls one SQS queue and feeds its messages to the handlers. At most {@code max-concurrent-messages}
 * messages are in flight; a receive asks only for as many as there are free slots (up to 10). On a FIFO
 * queue the messages of one group run one at a time in order, and when one fails the rest of its group
 * from that receive is released untouched so order holds across the retry; groups run in parallel.
 */
final class QueueListener {

    private static final System.Logger LOG = System.getLogger(QueueListener.class.getName());
    private static final int MAX_PER_RECEIVE = 10;
    private static final Duration MAX_POLL_BACKOFF = Duration.ofSeconds(30);

    private final String queueName;
    private final String queueUrl;
    private final Optional<String> deadLetterQueueUrl;
    private final boolean fifo;
    private final SqsClient sqs;
    private final InboundProcessor processor;
    private final DeadLetterPublisher deadLetters;
    private final Executor executor;
    private final AwsSettings settings;
    private final int maxConcurrent;
    private final Semaphore slots;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running;

    QueueListener(String queueName, String queueUrl, Optional<String> deadLetterQueueUrl, SqsClient sqs,
                  InboundProcessor processor, Executor executor, AwsSettings settings) {
        this.queueName = queueName;
        this.queueUrl = queueUrl;
        this.deadLetterQueueUrl = deadLetterQueueUrl;
        this.fifo = queueName.endsWith(".fifo");
        this.sqs = sqs;
        this.processor = processor;
        this.deadLetters = new DeadLetterPublisher(sqs);
        this.executor = executor;
        this.settings = settings;
        this.maxConcurrent = settings.maxConcurrentMessages();
        this.slots = new Semaphore(maxConcurrent);
    }

    String queueName() {
        return queueName;
    }

    void start() {
        running = true;
        executor.execute(this::pollLoop);
    }

    /**
     * Stops polling (a long poll in progress returns and its messages are processed), then waits up to
     * the timeout for running handlers.
     *
     * @return whether every handler finished in time
     */
    boolean stop(Duration timeout) {
        running = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!stopped.await(Math.max(0, deadline - System.nanoTime()) + settings.waitTime().toNanos(), TimeUnit.NANOSECONDS)) {
                return false;
            }
            if (slots.tryAcquire(maxConcurrent, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                slots.release(maxConcurrent);
                return true;
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void pollLoop() {
        int failures = 0;
        try {
            while (running) {
                int free = acquireSlots();
                if (free == 0) {
                    continue;
                }
                List<Message> messages;
                try {
                    messages = sqs.receiveMessage(r -> r.queueUrl(queueUrl)
                            .maxNumberOfMessages(free)
                            .waitTimeSeconds((int) settings.waitTime().toSeconds())
                            .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT,
                                    MessageSystemAttributeName.SENT_TIMESTAMP, MessageSystemAttributeName.MESSAGE_GROUP_ID)
                            .messageAttributeNames("All")).messages();
                    failures = 0;
                } catch (SdkException | IllegalStateException e) {
                    slots.release(free);
                    failures++;
                    backOff(failures, e);
                    continue;
                }
                slots.release(free - messages.size());
                if (fifo) {
                    dispatchByGroup(messages);
                } else {
                    messages.forEach(message -> executor.execute(() -> handle(message).whenComplete((v, e) -> slots.release())));
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "Listener of queue " + queueName + " stopped unexpectedly", e);
            throw e;
        } finally {
            stopped.countDown();
        }
    }

    /** Waits for at least one free slot, then takes as many more as are free (up to 10). */
    private int acquireSlots() {
        try {
            if (!slots.tryAcquire(1, 1, TimeUnit.SECONDS)) {
                return 0;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return 0;
        }
        if (!running) {
            slots.release();
            return 0;
        }
        int more = 0;
        while (more < MAX_PER_RECEIVE - 1 && slots.tryAcquire()) {
            more++;
        }
        return 1 + more;
    }

    private void backOff(int failures, Exception e) {
        long delay = Math.min(MAX_POLL_BACKOFF.toMillis(), 200L << Math.min(failures, 10));
        delay = delay / 2 + (long) (Math.random() * delay / 2);
        LOG.log(failures == 1 ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                "Receiving from queue " + queueName + " failed (" + e.getMessage() + "); retrying in " + delay + " ms");
        try {
            Thread.sleep(delay);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void dispatchByGroup(List<Message> messages) {
        Map<String, List<Message>> groups = new LinkedHashMap<>();
        for (Message message : messages) {
            String group = message.attributes().getOrDefault(MessageSystemAttributeName.MESSAGE_GROUP_ID, "");
            groups.computeIfAbsent(group, g -> new ArrayList<>()).add(message);
        }
        groups.values().forEach(group -> executor.execute(() -> runGroup(group, 0)));
    }

    /** Runs a group's messages in order; a failure releases the rest of the group for a later receive. */
    private void runGroup(List<Message> group, int index) {
        if (index >= group.size()) {
            return;
        }
        handle(group.get(index)).whenComplete((outcome, error) -> {
            slots.release();
            if (outcome == InboundOutcome.Disposition.HANDLED || outcome == InboundOutcome.Disposition.DEAD_LETTER) {
                runGroup(group, index + 1);
            } else {
                List<Message> rest = group.subList(index + 1, group.size());
                release(rest);
                slots.release(rest.size());
            }
        });
    }

    private void release(List<Message> messages) {
        for (Message message : messages) {
            try {
                sqs.changeMessageVisibility(r -> r.queueUrl(queueUrl).receiptHandle(message.receiptHandle()).visibilityTimeout(0));
            } catch (SdkException e) {
                LOG.log(System.Logger.Level.DEBUG, "Could not release message " + message.messageId() + " of " + queueName
                        + "; it becomes visible when its visibility timeout ends", e);
            }
        }
    }

    /** Processes one message and settles it: delete, dead-letter then delete, or leave for retry. */
    private CompletableFuture<InboundOutcome.Disposition> handle(Message message) {
        return processor.process(queueName, message).toCompletableFuture()
                .handle((outcome, unexpected) -> {
                    if (unexpected != null) {
                        LOG.log(System.Logger.Level.ERROR, "Processing message " + message.messageId() + " of " + queueName
                                + " failed unexpectedly; it will be retried", unexpected);
                        return InboundOutcome.Disposition.RETRY;
                    }
                    return settle(message, outcome);
                });
    }

    private InboundOutcome.Disposition settle(Message message, InboundOutcome outcome) {
        switch (outcome.disposition()) {
            case HANDLED -> delete(message);
            case DEAD_LETTER -> {
                if (deadLetterQueueUrl.isEmpty()) {
                    LOG.log(System.Logger.Level.ERROR, "Message " + outcome.messageId() + " of queue " + queueName
                            + " can never succeed (" + outcome.reason() + ": " + outcome.detail() + ") but the queue has no "
                            + "dead-letter queue; it stays on the queue until SQS's retention ends. Provision a DLQ");
                    return InboundOutcome.Disposition.RETRY;
                }
                try {
                    deadLetters.publish(queueName, deadLetterQueueUrl.get(), fifo, message, outcome);
                } catch (SdkException e) {
                    LOG.log(System.Logger.Level.WARNING, "Could not move message " + outcome.messageId() + " of " + queueName
                            + " to its dead-letter queue; it will be retried", e);
                    return InboundOutcome.Disposition.RETRY;
                }
                LOG.log(System.Logger.Level.WARNING, "Message " + outcome.messageId() + " of queue " + queueName
                        + " moved to the dead-letter queue: " + outcome.reason() + " - " + outcome.detail());
                delete(message);
            }
            case RETRY -> LOG.log(System.Logger.Level.WARNING, "Message " + outcome.messageId() + " of " + queueName
                    + " failed (receive " + InboundProcessor.receiveCount(message) + ") and will be retried", outcome.failure());
        }
        return outcome.disposition();
    }

    private void delete(Message message) {
        try {
            sqs.deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
        } catch (SdkException e) {
            LOG.log(System.Logger.Level.WARNING, "Could not delete handled message " + message.messageId() + " of " + queueName
                    + "; it may be delivered again", e);
        }
    }
}
