package io.sourceflow.testing;

import jakarta.json.Json;
import jakarta.json.JsonReader;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Raw SQS access for tests that need a message as it is on the wire: take one off a queue, send copies of it
 * (the same body and attributes, so the same CloudEvents id, as a new SQS message), read its CloudEvents id.
 */
public final class RawMessages {

    private RawMessages() {
    }

    /** Receives one message (waiting up to {@code within}), deletes it, and returns it with all its attributes. */
    public static Message takeOne(SqsClient sqs, String queueUrl, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(1).waitTimeSeconds(1)
                    .messageAttributeNames("All")).messages();
            if (!messages.isEmpty()) {
                Message message = messages.get(0);
                sqs.deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
                return message;
            }
        }
        throw new AssertionError("no message arrived on " + queueUrl + " within " + within);
    }

    /** Sends the body and message attributes of {@code original} again: a new SQS message, the same CloudEvent. */
    public static void sendCopy(SqsClient sqs, String queueUrl, Message original) {
        sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(original.body()).messageAttributes(original.messageAttributes()));
    }

    /** The CloudEvents {@code id} in a message's body. */
    public static String cloudEventId(Message message) {
        try (JsonReader reader = Json.createReader(new StringReader(message.body()))) {
            return reader.readObject().getString("id");
        }
    }

    /** Visible plus in-flight messages of a queue. */
    public static int approximateCount(SqsClient sqs, String queueUrl) {
        Map<String, String> attributes = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNamesWithStrings(
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")).attributesAsStrings();
        return Integer.parseInt(attributes.get("ApproximateNumberOfMessages"))
                + Integer.parseInt(attributes.get("ApproximateNumberOfMessagesNotVisible"));
    }
}
