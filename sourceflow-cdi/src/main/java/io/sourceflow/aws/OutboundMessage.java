package io.sourceflow.aws;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One encoded message waiting to be sent, with the future its sender waits on. Internal to SourceFlow.
 *
 * @param messageId the CloudEvents id, also the FIFO deduplication id
 * @param logicalType the logical type (for errors and the type attribute)
 * @param groupId the FIFO message group (the entity key), empty for standard destinations
 * @param body the CloudEvents JSON body
 * @param attributes the string message attributes
 * @param size the encoded size in bytes as SQS/SNS count it
 * @param accepted completes when the destination accepted the message
 */
public record OutboundMessage(String messageId, String logicalType, Optional<String> groupId, String body,
                       Map<String, String> attributes, int size, CompletableFuture<Void> accepted) {
}
