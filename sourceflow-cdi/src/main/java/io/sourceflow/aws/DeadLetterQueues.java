package io.sourceflow.aws;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Inspects and redrives the dead-letter queues of the queues this deployment knows. Inject it:
 * {@code @Inject DeadLetterQueues deadLetters;}. Queue names are the short names (or URLs) as routed or
 * listened to, not the DLQ names.
 *
 * <p>IAM: {@code sqs:GetQueueAttributes} for {@link #approximateCount}; {@code sqs:ReceiveMessage} on the DLQ for
 * {@link #peek}; for {@link #redrive} {@code sqs:StartMessageMoveTask} (plus {@code sqs:ReceiveMessage},
 * {@code sqs:DeleteMessage}, {@code sqs:GetQueueAttributes} on the DLQ and {@code sqs:SendMessage} on the
 * source queue, which SQS's move task and the message-by-message fallback both need).
 */
@Singleton
public final class DeadLetterQueues {

    private static final System.Logger LOG = System.getLogger(DeadLetterQueues.class.getName());

    private final AwsStartup runtime;
    private final AwsServiceClients clients;

    @Inject
    DeadLetterQueues(AwsStartup runtime, AwsServiceClients clients) {
        this.runtime = runtime;
        this.clients = clients;
    }

    /** SQS's approximate number of visible messages in the queue's DLQ. */
    public long approximateCount(String queue) {
        String dlq = deadLetterQueueUrl(queue);
        String count = clients.sqs().getQueueAttributes(r -> r.queueUrl(dlq)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
        return count == null ? 0 : Long.parseLong(count);
    }

    /**
     * Looks at up to {@code max} messages of the queue's DLQ without taking them (they stay visible; a
     * peek counts as a receive in their receive count).
     */
    public List<DeadLetter> peek(String queue, int max) {
        String dlq = deadLetterQueueUrl(queue);
        Map<String, DeadLetter> seen = new LinkedHashMap<>();
        int emptyReceives = 0;
        while (seen.size() < max && emptyReceives < 2) {
            List<Message> messages = clients.sqs().receiveMessage(r -> r.queueUrl(dlq).maxNumberOfMessages(ServiceLimits.MAX_BATCH_ENTRIES)
                    .visibilityTimeout(0).waitTimeSeconds(1).messageAttributeNames("All")
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
            int before = seen.size();
            for (Message message : messages) {
                if (seen.size() < max) {
                    seen.putIfAbsent(message.messageId(), deadLetter(message));
                }
            }
            emptyReceives = seen.size() == before ? emptyReceives + 1 : 0;
        }
        return List.copyOf(seen.values());
    }

    /**
     * Moves the messages of the queue's DLQ back to the queue: with SQS StartMessageMoveTask where the
     * endpoint supports it, otherwise message by message (keeping FIFO message groups; the deduplication
     * id becomes {@code <original>-redrive} so the redriven copy is not dropped as a duplicate of the
     * original, while a retried redrive still is).
     */
    public RedriveResult redrive(String queue) {
        String queueUrl = runtime.destinations().queueUrl(queue);
        String dlqUrl = deadLetterQueueUrl(queue);
        SqsClient sqs = clients.sqs();
        try {
            String dlqArn = arn(dlqUrl);
            String queueArn = arn(queueUrl);
            String handle = sqs.startMessageMoveTask(r -> r.sourceArn(dlqArn).destinationArn(queueArn)).taskHandle();
            LOG.log(System.Logger.Level.INFO, "Redriving the dead-letter queue of " + queue + " with SQS move task " + handle);
            return new RedriveResult(true, 0, Optional.ofNullable(handle));
        } catch (SdkException e) {
            LOG.log(System.Logger.Level.INFO, "SQS move task not available here (" + e.getMessage() + "); moving message by message");
        }
        return new RedriveResult(false, moveOneByOne(sqs, queue, queueUrl, dlqUrl), Optional.empty());
    }

    /**
     * Moves at most as many messages as the DLQ held when this started: redriven messages that are dead-lettered again
     * at once (the handler still fails) must not keep the loop going for ever.
     */
    private int moveOneByOne(SqsClient sqs, String queue, String queueUrl, String dlqUrl) {
        boolean fifo = queue.endsWith(".fifo");
        long budget = approximateCount(queue);
        int moved = 0;
        int received = 0;
        while (received < budget) {
            int wanted = (int) Math.min(ServiceLimits.MAX_BATCH_ENTRIES, budget - received);
            List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(dlqUrl).maxNumberOfMessages(wanted).waitTimeSeconds(1)
                    .visibilityTimeout(60).messageAttributeNames("All")
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
            if (messages.isEmpty()) {
                return moved;
            }
            received += messages.size();
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            for (int i = 0; i < messages.size(); i++) {
                entries.add(redriveEntry(BatchEntries.id(i), messages.get(i), fifo));
            }
            var response = sqs.sendMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
            Map<String, String> failed = new HashMap<>();
            response.failed().forEach(f -> failed.put(f.id(), f.code() + " " + f.message()));
            int[] deleted = {0};
            // a message whose copy failed stays in the DLQ, visible again after the visibility timeout
            BatchEntries.settle(messages, failed, message -> {
                sqs.deleteMessage(r -> r.queueUrl(dlqUrl).receiptHandle(message.receiptHandle()));
                deleted[0]++;
            }, (message, error) -> { });
            moved += deleted[0];
            if (!failed.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, failed.size() + " message(s) could not be redriven to " + queue + " and stay in its DLQ");
                return moved;
            }
        }
        return moved;
    }

    private static SendMessageBatchRequestEntry redriveEntry(String id, Message message, boolean fifo) {
        Map<String, MessageAttributeValue> attributes = new HashMap<>(message.messageAttributes());
        attributes.keySet().removeIf(name -> name.startsWith("sourceflow.dlq."));
        SendMessageBatchRequestEntry.Builder entry = SendMessageBatchRequestEntry.builder().id(id)
                .messageBody(message.body()).messageAttributes(attributes);
        if (fifo) {
            Map<MessageSystemAttributeName, String> system = message.attributes();
            String dedup = system.getOrDefault(MessageSystemAttributeName.MESSAGE_DEDUPLICATION_ID, message.messageId());
            entry.messageGroupId(system.getOrDefault(MessageSystemAttributeName.MESSAGE_GROUP_ID, "redriven"))
                    .messageDeduplicationId(truncate(dedup, 120) + "-redrive");
        }
        return entry.build();
    }

    private String deadLetterQueueUrl(String queue) {
        return runtime.destinations().deadLetterQueueUrl(queue).orElseThrow(() -> new IllegalArgumentException(
                "Queue '" + queue + "' has no known dead-letter queue; provision it (sourceflow.aws.provisioning=create) or give it a redrive policy"));
    }

    private String arn(String queueUrl) {
        return clients.sqs().getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    private static DeadLetter deadLetter(Message message) {
        Map<String, MessageAttributeValue> attributes = message.messageAttributes();
        Map<MessageSystemAttributeName, String> system = message.attributes();
        String sent = system.get(MessageSystemAttributeName.SENT_TIMESTAMP);
        String count = system.get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
        return new DeadLetter(message.messageId(),
                text(attributes, WireAttributes.DLQ_MESSAGE_ID), text(attributes, WireAttributes.DLQ_REASON),
                text(attributes, WireAttributes.DLQ_ERROR), text(attributes, WireAttributes.DLQ_SOURCE_QUEUE),
                count == null ? 0 : Integer.parseInt(count),
                sent == null ? Instant.EPOCH : Instant.ofEpochMilli(Long.parseLong(sent)), message.body());
    }

    private static Optional<String> text(Map<String, MessageAttributeValue> attributes, String name) {
        return Optional.ofNullable(attributes.get(name)).map(MessageAttributeValue::stringValue);
    }

    private static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }
}
