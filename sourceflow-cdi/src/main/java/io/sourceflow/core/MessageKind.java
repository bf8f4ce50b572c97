package io.sourceflow.core;

/** Whether a message type is a command (one handler, SQS queue) or an event (many handlers, SNS topic). */
public enum MessageKind {
    /** A {@link io.sourceflow.Command}. */
    COMMAND,
    /** An {@link io.sourceflow.Event}. */
    EVENT
}
