package io.sourceflow.aws.inbound;

import io.sourceflow.MessageContext;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** The {@link MessageContext} of a message received from an SQS queue. */
record AwsMessageContext(String messageId, String messageType, Optional<String> entityKey, int receiveCount,
                         String destination, Instant sentAt, Map<String, String> extensions,
                         Map<String, String> messageAttributes) implements MessageContext {

    AwsMessageContext {
        extensions = Map.copyOf(extensions);
        messageAttributes = Map.copyOf(messageAttributes);
    }
}
