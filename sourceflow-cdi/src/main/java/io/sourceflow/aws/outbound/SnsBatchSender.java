package io.sourceflow.aws.outbound;

import io.sourceflow.aws.AwsSendCalls;
import io.sourceflow.aws.BatchEntries;
import io.sourceflow.aws.OutboundMessage;
import io.sourceflow.aws.ServiceLimits;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;
import software.amazon.awssdk.services.sns.model.PublishBatchRequest;
import software.amazon.awssdk.services.sns.model.PublishBatchRequestEntry;
import software.amazon.awssdk.services.sns.model.PublishBatchResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Publishes batches to one SNS topic with PublishBatch. */
final class SnsBatchSender implements BatchSender {

    private final SnsClient sns;
    private final AwsSendCalls calls;
    private final String topicName;
    private final String topicArn;

    SnsBatchSender(SnsClient sns, AwsSendCalls calls, String topicName, String topicArn) {
        this.sns = sns;
        this.calls = calls;
        this.topicName = topicName;
        this.topicArn = topicArn;
    }

    @Override
    public String destination() {
        return "topic " + topicName;
    }

    @Override
    public int maxBatchBytes() {
        return ServiceLimits.SNS_MAX_BYTES;
    }

    @Override
    public List<Retryable> send(List<OutboundMessage> batch) {
        PublishBatchResponse response;
        try {
            List<PublishBatchRequestEntry> entries = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                entries.add(entry(i, batch.get(i)));
            }
            response = calls.publishBatch(sns, PublishBatchRequest.builder().topicArn(topicArn).publishBatchRequestEntries(entries).build());
        } catch (RuntimeException failure) {
            return BatchSender.failAll(batch, destination(), AwsSendCalls.unwrap(failure));
        }
        Map<String, EntryError> errors = new HashMap<>();
        response.failed().forEach(f -> errors.put(f.id(), new EntryError(f.code(), f.message(), Boolean.TRUE.equals(f.senderFault()))));
        return BatchSender.settle(batch, errors, destination());
    }

    private static PublishBatchRequestEntry entry(int index, OutboundMessage message) {
        Map<String, MessageAttributeValue> attributes = new HashMap<>();
        message.attributes().forEach((k, v) -> attributes.put(k, MessageAttributeValue.builder().dataType("String").stringValue(v).build()));
        PublishBatchRequestEntry.Builder entry = PublishBatchRequestEntry.builder()
                .id(BatchEntries.id(index))
                .message(message.body())
                .messageAttributes(attributes);
        message.groupId().ifPresent(group -> entry.messageGroupId(group).messageDeduplicationId(message.messageId()));
        return entry.build();
    }
}
