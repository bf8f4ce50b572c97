package io.sourceflow.aws.outbound;

import io.sourceflow.aws.BatchEntries;
import io.sourceflow.aws.OutboundMessage;
import io.sourceflow.aws.SendFailedException;

import java.util.List;
import java.util.Map;

/** Sends one batch (1 to 10 messages) to one destination and reports each entry's outcome. */
interface BatchSender {

    /** The largest batch payload the service accepts, in bytes. */
    int maxBatchBytes();

    /**
     * Sends the batch. Completes each message's {@code accepted} future, successfully or with the entry's
     * error; never throws.
     */
    void send(List<OutboundMessage> batch);

    /** The whole request failed: every message of the batch fails with it. */
    static void failAll(List<OutboundMessage> batch, String destination, RuntimeException failure) {
        for (OutboundMessage m : batch) {
            m.accepted().completeExceptionally(new SendFailedException("Sending " + m.logicalType() + " " + m.messageId()
                    + " to " + destination + " failed: " + failure.getMessage(), failure));
        }
    }

    /**
     * Completes each message of a batch whose entries were numbered by position: accepted, or failed with the
     * error text the service gave for its entry id.
     */
    static void settle(List<OutboundMessage> batch, Map<String, String> errorsByEntryId, String destination) {
        BatchEntries.settle(batch, errorsByEntryId, message -> message.accepted().complete(null),
                (message, error) -> message.accepted().completeExceptionally(new SendFailedException(destination
                        + " rejected " + message.logicalType() + " " + message.messageId() + ": " + error)));
    }
}
