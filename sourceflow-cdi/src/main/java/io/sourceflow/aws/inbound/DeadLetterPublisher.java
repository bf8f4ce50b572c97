package io.sourceflow.aws.inbound;

import io.sourceflow.aws.ServiceLimits;
import io.sourceflow.aws.WireAttributes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Moves a message that can never succeed to its queue's dead-letter queue: the body exactly as received,
 * its attributes, and the reason, error and message id as {@code sourceflow.dlq.*} attributes. FIFO
 * dead-letter queues keep the message group. The caller deletes the original only after this succeeded.
 */
final class DeadLetterPublisher {

    private static final int MAX_REASON_LENGTH = 512;

    private final SqsClient sqs;

    DeadLetterPublisher(SqsClient sqs) {
        this.sqs = sqs;
    }

    /** Sends the message to the DLQ; throws the SDK's exception if it could not. */
    void publish(String queueName, String deadLetterQueueUrl, boolean fifo, Message message, InboundOutcome outcome) throws SdkException {
        Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
        attributes.put(WireAttributes.DLQ_REASON, text(outcome.reason()));
        attributes.put(WireAttributes.DLQ_ERROR, text(outcome.failure() == null ? outcome.reason()
                : outcome.failure().getClass().getName() + ": " + truncate(String.valueOf(outcome.detail()))));
        attributes.put(WireAttributes.DLQ_MESSAGE_ID, text(outcome.messageId()));
        attributes.put(WireAttributes.DLQ_SOURCE_QUEUE, text(queueName));
        // SQS allows 10 message attributes; ours take 4, the original keeps at most the rest
        for (Map.Entry<String, MessageAttributeValue> original : message.messageAttributes().entrySet()) {
            if (attributes.size() >= ServiceLimits.MAX_ATTRIBUTES) {
                break;
            }
            attributes.putIfAbsent(original.getKey(), original.getValue());
        }
        SendMessageRequest.Builder request = SendMessageRequest.builder()
                .queueUrl(deadLetterQueueUrl)
                .messageBody(message.body())
                .messageAttributes(attributes);
        if (fifo) {
            String group = message.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID);
            request.messageGroupId(group != null ? group : "dead-letters").messageDeduplicationId(message.messageId());
        }
        sqs.sendMessage(request.build());
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value == null || value.isEmpty() ? "-" : value).build();
    }

    private static String truncate(String text) {
        return text.length() <= MAX_REASON_LENGTH ? text : text.substring(0, MAX_REASON_LENGTH) + "...";
    }
}
