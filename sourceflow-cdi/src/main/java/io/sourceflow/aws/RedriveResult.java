package io.sourceflow.aws;

import java.util.Optional;

/**
 * The outcome of {@link DeadLetterQueues#redrive}.
 *
 * @param serverSide whether SQS moves the messages itself (StartMessageMoveTask; it continues in the background)
 * @param moved messages moved one by one (0 when server-side)
 * @param taskHandle the SQS move task handle, when server-side
 */
public record RedriveResult(boolean serverSide, int moved, Optional<String> taskHandle) {
}
