package io.sourceflow.aws.outbound;

import io.sourceflow.aws.BatchEntries;
import io.sourceflow.aws.OutboundMessage;
import io.sourceflow.aws.SendFailedException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Sends one batch (1 to 10 messages) to one destination and reports each entry's outcome. */
interface BatchSender {

    /** An entry the service did not accept this time but may on a later attempt: throttled, or a fault on its side. */
    record Retryable(OutboundMessage message, String error) {
    }

    /** The error of one rejected batch entry, as the service reported it. */
    record EntryError(String code, String message, boolean senderFault) {

        /** A fault of the service, or throttling (which some services report as the sender's fault). */
        boolean retryable() {
            return !senderFault || code.contains("Throttl") || code.equals("ServiceUnavailable")
                    || code.equals("InternalError") || code.equals("InternalFailure");
        }

        @Override
        public String toString() {
            return code + " " + message + (senderFault ? " (sender fault)" : " (service fault)");
        }
    }

    /** "queue orders" or "topic order-events", for errors. */
    String destination();

    /** The largest batch payload the service accepts, in bytes. */
    int maxBatchBytes();

    /**
     * Sends the batch. Completes the {@code accepted} future of each message the service accepted or rejected for good
     * (or of every message, when the request failed as a whole after its retries); never throws.
     *
     * @return the entries to send again, their futures not completed
     */
    List<Retryable> send(List<OutboundMessage> batch);

    /** The whole request failed: every message of the batch fails with it. */
    static List<Retryable> failAll(List<OutboundMessage> batch, String destination, RuntimeException failure) {
        boolean permanent = failure instanceof AwsServiceException service && MISSING_DESTINATION.contains(service.awsErrorDetails() == null
                ? "" : String.valueOf(service.awsErrorDetails().errorCode()));
        for (OutboundMessage m : batch) {
            m.accepted().completeExceptionally(new SendFailedException("Sending " + m.logicalType() + " " + m.messageId()
                    + " to " + destination + " failed: " + Failures.describe(failure), failure, permanent));
        }
        return List.of();
    }

    /** The error codes of a queue or topic that does not exist. */
    Set<String> MISSING_DESTINATION = Set.of("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "NotFound");

    /**
     * Completes each message of a batch whose entries were numbered by position: accepted, or failed with the error
     * the service gave for its entry id; entries rejected {@linkplain EntryError#retryable() retryably} are returned.
     */
    static List<Retryable> settle(List<OutboundMessage> batch, Map<String, EntryError> errorsByEntryId, String destination) {
        List<Retryable> retry = new ArrayList<>(0);
        BatchEntries.settle(batch, errorsByEntryId, message -> message.accepted().complete(null), (message, error) -> {
            if (error.retryable()) {
                retry.add(new Retryable(message, error.toString()));
            } else {
                message.accepted().completeExceptionally(new SendFailedException(destination + " rejected "
                        + message.logicalType() + " " + message.messageId() + ": " + error, null, true));
            }
        });
        return retry;
    }
}
