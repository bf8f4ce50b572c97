package io.sourceflow.aws.inbound;

import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.time.Instant;

/**
 * One message as received, with the system attributes the listener needs read once.
 *
 * @param message         the SQS message
 * @param receiveCount    its approximate receive count (1 when SQS did not say)
 * @param groupId         its FIFO message group ({@code ""} on standard queues)
 * @param receivedAtNanos when the receive returned it ({@link System#nanoTime()})
 */
record Received(Message message, int receiveCount, String groupId, long receivedAtNanos) {

    static Received of(Message message, long receivedAtNanos) {
        String count = message.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
        int receiveCount;
        try {
            receiveCount = count == null ? 1 : Integer.parseInt(count);
        } catch (NumberFormatException e) {
            receiveCount = 1;
        }
        return new Received(message, receiveCount,
                message.attributes().getOrDefault(MessageSystemAttributeName.MESSAGE_GROUP_ID, ""), receivedAtNanos);
    }

    String messageId() {
        return message.messageId();
    }

    String receiptHandle() {
        return message.receiptHandle();
    }

    /** When SQS says it was sent, or now when it did not say. */
    Instant sentAt() {
        String sent = message.attributes().get(MessageSystemAttributeName.SENT_TIMESTAMP);
        try {
            return sent == null ? Instant.now() : Instant.ofEpochMilli(Long.parseLong(sent));
        } catch (NumberFormatException e) {
            return Instant.now();
        }
    }
}
