package io.sourceflow.aws.outbound;

import io.sourceflow.aws.AwsSendCalls;
import io.sourceflow.aws.BatchEntries;
import io.sourceflow.aws.OutboundMessage;
import io.sourceflow.aws.ServiceLimits;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Sends batches to one SQS queue with SendMessageBatch. */
final class SqsBatchSender implements BatchSender {

    private final SqsClient sqs;
    private final AwsSendCalls calls;
    private final String queueName;
    private final String queueUrl;

    SqsBatchSender(SqsClient sqs, AwsSendCalls calls, String queueName, String queueUrl) {
        this.sqs = sqs;
        this.calls = calls;
        this.queueName = queueName;
        this.queueUrl = queueUrl;
    }

    @Override
    public String destination() {
        return "queue " + queueName;
    }

    @Override
    public int maxBatchBytes() {
        return ServiceLimits.SQS_MAX_BYTES;
    }

    @Override
    public List<Retryable> send(List<OutboundMessage> batch) {
        SendMessageBatchResponse response;
        try {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                entries.add(entry(i, batch.get(i)));
            }
            response = calls.sendMessageBatch(sqs, SendMessageBatchRequest.builder().queueUrl(queueUrl).entries(entries).build());
        } catch (RuntimeException failure) {
            return BatchSender.failAll(batch, destination(), AwsSendCalls.unwrap(failure));
        }
        Map<String, EntryError> errors = new HashMap<>();
        response.failed().forEach(f -> errors.put(f.id(), new EntryError(f.code(), f.message(), Boolean.TRUE.equals(f.senderFault()))));
        return BatchSender.settle(batch, errors, destination());
    }

    private static SendMessageBatchRequestEntry entry(int index, OutboundMessage message) {
        Map<String, MessageAttributeValue> attributes = new HashMap<>();
        message.attributes().forEach((k, v) -> attributes.put(k, MessageAttributeValue.builder().dataType("String").stringValue(v).build()));
        SendMessageBatchRequestEntry.Builder entry = SendMessageBatchRequestEntry.builder()
                .id(BatchEntries.id(index))
                .messageBody(message.body())
                .messageAttributes(attributes);
        message.groupId().ifPresent(group -> entry.messageGroupId(group).messageDeduplicationId(message.messageId()));
        return entry.build();
    }
}
