package io.sourceflow.aws;

import java.time.Instant;
import java.util.Optional;

/**
 * A message in a dead-letter queue, as {@link DeadLetterQueues#peek} shows it.
 *
 * @param sqsMessageId the SQS MessageId in the dead-letter queue
 * @param messageId the message id (CloudEvents id) when SourceFlow dead-lettered it
 * @param reason why SourceFlow dead-lettered it ({@code MalformedJson}, {@code Rejected}, ...); empty when SQS's
 *     redrive policy moved it after too many receives
 * @param error the exception class and a payload-free explanation, when SourceFlow dead-lettered it
 * @param sourceQueue the queue it came from, when SourceFlow dead-lettered it
 * @param receiveCount how often it has been received (in the source queue and here)
 * @param sentAt when it was first sent
 * @param body the body as received (encrypted data stays encrypted)
 */
public record DeadLetter(String sqsMessageId, Optional<String> messageId, Optional<String> reason, Optional<String> error,
                         Optional<String> sourceQueue, int receiveCount, Instant sentAt, String body) {
}
