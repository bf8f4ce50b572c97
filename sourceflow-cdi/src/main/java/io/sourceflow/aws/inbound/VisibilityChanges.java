package io.sourceflow.aws.inbound;

import io.sourceflow.aws.BatchEntries;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/** Changes the visibility of received messages of one queue: in batches of 10, or one message at a time. */
final class VisibilityChanges {

    private static final System.Logger LOG = System.getLogger(VisibilityChanges.class.getName());

    private final SqsClient sqs;
    private final String queueName;
    private final String queueUrl;

    VisibilityChanges(SqsClient sqs, String queueName, String queueUrl) {
        this.sqs = sqs;
        this.queueName = queueName;
        this.queueUrl = queueUrl;
    }

    /**
     * Sets the visibility timeout of up to 10 items' messages in one ChangeMessageVisibilityBatch request.
     *
     * @param changed told of each item SQS accepted
     * @param failed  told of each item SQS rejected, with its error
     * @throws SdkException if the request failed as a whole
     */
    <T> void changeBatch(List<T> batch, Function<T, String> receiptHandle, int seconds, Consumer<T> changed,
                         BiConsumer<T, String> failed) {
        List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(BatchEntries.id(i))
                    .receiptHandle(receiptHandle.apply(batch.get(i))).visibilityTimeout(seconds).build());
        }
        ChangeMessageVisibilityBatchResponse response = sqs.changeMessageVisibilityBatch(r -> r.queueUrl(queueUrl).entries(entries));
        Map<String, String> errors = new HashMap<>();
        response.failed().forEach(f -> errors.put(f.id(), f.code() + " " + f.message()));
        BatchEntries.settle(batch, errors, changed, failed);
    }

    /** Sets one message's visibility timeout. @throws SdkException if SQS did not accept it */
    void changeOne(String receiptHandle, int seconds) {
        sqs.changeMessageVisibility(r -> r.queueUrl(queueUrl).receiptHandle(receiptHandle).visibilityTimeout(seconds));
    }

    /** Makes messages visible again at once, for another consumer or a later receive. */
    void release(List<Received> messages) {
        for (List<Received> batch : BatchEntries.partition(messages)) {
            try {
                changeBatch(batch, Received::receiptHandle, 0, m -> { }, (m, error) -> { });
            } catch (Exception e) { // SdkException, or a client already closed: releasing is the last thing done with them
                LOG.log(System.Logger.Level.DEBUG, "Could not release " + batch.size() + " message(s) of " + queueName
                        + "; they become visible when their visibility timeout ends", e);
            }
        }
    }
}
