package io.sourceflow.aws.inbound;

import io.sourceflow.aws.ServiceLimits;
import software.amazon.awssdk.core.exception.SdkException;

import java.util.List;
import java.util.Optional;

/**
 * What becomes of a processed message of one queue, by its outcome: handled and duplicate messages are deleted;
 * messages that can never succeed are moved to the dead-letter queue, then deleted; failed ones become visible again
 * after a backoff; messages another instance holds are looked at again when its lease ends. Nothing is deleted without
 * having been handled or dead-lettered: when the dead-letter queue is missing or cannot be reached, the message is
 * retried instead.
 */
final class Settlement {

    private static final System.Logger LOG = System.getLogger(Settlement.class.getName());

    private final String queueName;
    private final Optional<String> deadLetterQueueUrl;
    private final boolean fifo;
    private final DeleteBatcher deletes;
    private final DeadLetterPublisher deadLetters;
    private final VisibilityChanges visibility;
    private final RetryBackoff backoff;
    private final int maxReceiveCount;
    private final DeadLetterCount deadLetterCount;

    /** Counts a message moved to the dead-letter queue ({@code SourceFlowTelemetry::deadLettered}). */
    @FunctionalInterface
    interface DeadLetterCount {
        void deadLettered(String queueName, String reason);
    }

    Settlement(String queueName, Optional<String> deadLetterQueueUrl, DeleteBatcher deletes, DeadLetterPublisher deadLetters,
               VisibilityChanges visibility, RetryBackoff backoff, int maxReceiveCount, DeadLetterCount deadLetterCount) {
        this.queueName = queueName;
        this.deadLetterQueueUrl = deadLetterQueueUrl;
        this.fifo = queueName.endsWith(".fifo");
        this.deletes = deletes;
        this.deadLetters = deadLetters;
        this.visibility = visibility;
        this.backoff = backoff;
        this.maxReceiveCount = maxReceiveCount;
        this.deadLetterCount = deadLetterCount;
    }

    /**
     * Settles one processed message.
     *
     * @return what was done: the outcome's disposition, or {@link InboundOutcome.Disposition#RETRY} when a dead letter
     *         could not be moved
     */
    InboundOutcome.Disposition settle(Received message, InboundOutcome outcome) {
        switch (outcome.disposition()) {
            case HANDLED, DUPLICATE -> deletes.delete(message.receiptHandle(), outcome.messageId());
            case DEAD_LETTER -> {
                return deadLetter(message, outcome);
            }
            case RETRY -> retryLater(message, outcome);
            case HELD_ELSEWHERE -> lookAgainLater(message, outcome);
        }
        return outcome.disposition();
    }

    /** Makes messages that will not be handled now visible again at once. */
    void release(List<Received> messages) {
        visibility.release(messages);
    }

    private InboundOutcome.Disposition deadLetter(Received message, InboundOutcome outcome) {
        if (deadLetterQueueUrl.isEmpty()) {
            LOG.log(System.Logger.Level.ERROR, "Message " + outcome.messageId() + " of queue " + queueName
                    + " can never succeed (" + outcome.reason() + ": " + outcome.detail() + ") but the queue has no "
                    + "dead-letter queue; it stays on the queue until SQS's retention ends. Provision a DLQ");
            retryLater(message, outcome);
            return InboundOutcome.Disposition.RETRY;
        }
        try {
            deadLetters.publish(queueName, deadLetterQueueUrl.get(), fifo, message.message(), outcome);
        } catch (SdkException e) {
            LOG.log(System.Logger.Level.WARNING, "Could not move message " + outcome.messageId() + " of " + queueName
                    + " to its dead-letter queue; it will be retried", e);
            retryLater(message, outcome);
            return InboundOutcome.Disposition.RETRY;
        }
        LOG.log(System.Logger.Level.WARNING, "Message " + outcome.messageId() + " of queue " + queueName
                + " moved to the dead-letter queue: " + outcome.reason() + " - " + outcome.detail());
        deletes.delete(message.receiptHandle(), outcome.messageId());
        deadLetterCount.deadLettered(queueName, outcome.reason());
        return InboundOutcome.Disposition.DEAD_LETTER;
    }

    private void retryLater(Received message, InboundOutcome outcome) {
        int delay = backoff.delaySeconds(message.receiveCount());
        if (outcome.failure() != null) {
            LOG.log(System.Logger.Level.WARNING, "Message " + outcome.messageId() + " of " + queueName + " failed (receive "
                    + message.receiveCount() + " of " + maxReceiveCount + "); retrying in " + delay + " s", outcome.failure());
        }
        try {
            visibility.changeOne(message.receiptHandle(), delay);
        } catch (SdkException e) {
            LOG.log(System.Logger.Level.DEBUG, "Could not set the retry delay of message " + outcome.messageId()
                    + "; it becomes visible when its visibility timeout ends", e);
        }
    }

    /** Sets the visibility of a message held by another instance so it is looked at again when that lease ends. */
    private void lookAgainLater(Received message, InboundOutcome outcome) {
        int seconds = (int) Math.min(ServiceLimits.MAX_VISIBILITY_SECONDS,
                Math.max(1, outcome.visibleAfter() == null ? 1 : outcome.visibleAfter().toSeconds()));
        try {
            visibility.changeOne(message.receiptHandle(), seconds);
        } catch (SdkException e) {
            LOG.log(System.Logger.Level.DEBUG, "Could not delay message " + outcome.messageId() + " held by another instance; it "
                    + "becomes visible when its visibility timeout ends", e);
        }
    }
}
